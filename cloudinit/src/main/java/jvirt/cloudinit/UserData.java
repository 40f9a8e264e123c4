package jvirt.cloudinit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import jvirt.cloudinit.Yaml.Location;
import jvirt.cloudinit.Yaml.Mapping;
import jvirt.cloudinit.Yaml.Member;
import jvirt.cloudinit.Yaml.Node;
import jvirt.cloudinit.Yaml.Scalar;
import jvirt.cloudinit.Yaml.Sequence;

/**
 * user-data (and vendor-data, which has the same formats) checked before a boot, so that a typo
 * is an error here rather than a guest that boots and silently skips a module. Only
 * {@code #cloud-config} is read: its YAML, its top-level keys against cloud-init's schema, and
 * the types of the common modules. Scripts, MIME multipart, includes, boothooks, part handlers,
 * templates, archives and gzip go to the guest unchecked.
 */
public final class UserData {
    /** The formats cloud-init recognizes, by the start of the data. */
    public enum Format {
        CLOUD_CONFIG, CLOUD_CONFIG_ARCHIVE, SCRIPT, INCLUDE, CLOUD_BOOTHOOK, PART_HANDLER, JINJA_TEMPLATE,
        MIME_MULTIPART, GZIP
    }

    /**
     * The top-level keys of cloud-init's cloud-config schema ({@code schema-cloud-config-v1.json},
     * whose {@code additionalProperties} is false: any other key is an error there too).
     */
    public static final Set<String> MODULE_KEYS = Set.of(
            "allow_public_ssh_keys", "ansible", "apk_repos", "apt", "apt_pipelining", "apt_reboot_if_required",
            "apt_update", "apt_upgrade", "authkey_hash", "autoinstall", "bootcmd", "byobu_by_default", "ca-certs",
            "ca_certs", "chef", "chpasswd", "cloud_config_modules", "cloud_final_modules", "cloud_init_modules",
            "create_hostname_file", "device_aliases", "disable_ec2_metadata", "disable_piwiz", "disable_root",
            "disable_root_opts", "disk_setup", "drivers", "enable_rpi_connect", "fan", "final_message", "fqdn",
            "fs_setup", "groups", "growpart", "grub-dpkg", "grub_dpkg", "hostname", "keyboard", "landscape",
            "launch-index", "locale", "locale_configfile", "lxd", "manage_etc_hosts", "manage_resolv_conf",
            "mcollective", "merge_how", "merge_type", "migrate", "mount_default_fields", "mounts",
            "no_ssh_fingerprints", "ntp", "output", "package_reboot_if_required", "package_update",
            "package_upgrade", "packages", "password", "phone_home", "power_state", "prefer_fqdn_over_hostname",
            "preserve_hostname", "puppet", "random_seed", "reporting", "resize_rootfs", "resolv_conf",
            "rh_subscription", "rpi_interfaces", "rpi_userconf", "rsyslog", "runcmd", "salt_minion", "snap",
            "spacewalk", "ssh", "ssh_authorized_keys", "ssh_deletekeys", "ssh_fp_console_blacklist",
            "ssh_genkeytypes", "ssh_import_id", "ssh_key_console_blacklist", "ssh_keys", "ssh_publish_hostkeys",
            "ssh_pwauth", "ssh_quiet_keygen", "swap", "system_info", "timezone", "ubuntu_advantage", "ubuntu_pro",
            "updates", "user", "users", "vendor_data", "version", "wireguard", "write_files", "yum_repo_dir",
            "yum_repos", "zypper");

    /** cc_write_files: the keys of an entry and the encodings of its content. */
    static final Set<String> WRITE_FILES_KEYS = Set.of("path", "content", "source", "owner", "permissions", "encoding",
            "append", "defer");
    static final Set<String> WRITE_FILES_ENCODINGS = Set.of("gz", "gzip", "gz+base64", "gzip+base64", "gz+b64",
            "gzip+b64", "b64", "base64", "text/plain");

    private static final Set<String> STRING_KEYS = Set.of("hostname", "fqdn", "timezone", "locale", "final_message",
            "password");
    private static final Set<String> BOOLEAN_KEYS = Set.of("package_update", "package_upgrade",
            "package_reboot_if_required", "apt_update", "apt_upgrade", "apt_reboot_if_required", "preserve_hostname",
            "create_hostname_file", "prefer_fqdn_over_hostname", "disable_root", "ssh_deletekeys", "ssh_quiet_keygen",
            "manage_resolv_conf");
    private static final Set<String> STRING_LIST_KEYS = Set.of("ssh_authorized_keys", "ssh_import_id");

    private UserData() {}

    /** The format {@code data} is in, or empty when cloud-init would not recognize it. */
    public static Optional<Format> format(byte[] data) {
        if (data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b) {
            return Optional.of(Format.GZIP);
        }
        String head = new String(data, 0, Math.min(data.length, 4096), StandardCharsets.UTF_8);
        String first = head.lines().findFirst().orElse("");
        if (first.startsWith("#cloud-config-archive")) {
            return Optional.of(Format.CLOUD_CONFIG_ARCHIVE);
        }
        if (first.startsWith("#cloud-config")) {
            return Optional.of(Format.CLOUD_CONFIG);
        }
        if (first.startsWith("#!")) {
            return Optional.of(Format.SCRIPT);
        }
        if (first.startsWith("#include")) {
            return Optional.of(Format.INCLUDE);
        }
        if (first.startsWith("#cloud-boothook")) {
            return Optional.of(Format.CLOUD_BOOTHOOK);
        }
        if (first.startsWith("#part-handler")) {
            return Optional.of(Format.PART_HANDLER);
        }
        if (first.toLowerCase(Locale.ROOT).matches("##\\s*template:\\s*jinja\\s*")) {
            return Optional.of(Format.JINJA_TEMPLATE);
        }
        // MIME: a Content-Type header among those before the first empty line.
        boolean multipart = head.lines().takeWhile(line -> !line.isBlank())
                .anyMatch(line -> line.toLowerCase(Locale.ROOT).matches("content-type:\\s*multipart/.*"));
        return multipart ? Optional.of(Format.MIME_MULTIPART) : Optional.empty();
    }

    /** The problems of {@code data} as user-data; none means it can go to the guest. */
    public static List<Problem> validate(byte[] data) {
        return validate("user-data", data);
    }

    /** The problems of {@code data} in a file with user-data's formats, named {@code source} in messages. */
    public static List<Problem> validate(String source, byte[] data) {
        if (data.length > NoCloudSeed.MAX_FILE_SIZE) {
            return List.of(Problem.of(source, "larger than " + (NoCloudSeed.MAX_FILE_SIZE >> 20) + " MiB"));
        }
        Optional<Format> format = format(data);
        if (format.isEmpty()) {
            return List.of(new Problem(source, 1, 1, "starts with none of cloud-init's formats: '#cloud-config' (YAML),"
                    + " '#!' (a script), a MIME multipart 'Content-Type: multipart/…' header, '#include',"
                    + " '#cloud-boothook', '#part-handler' or '## template: jinja'"));
        }
        if (format.get() != Format.CLOUD_CONFIG) {
            return List.of();
        }
        Yaml.Result yaml = Yaml.read(source, data);
        if (!yaml.problems().isEmpty() || yaml.root() == null) {
            return yaml.problems();
        }
        Checker checker = new Checker(source);
        checker.cloudConfig(yaml.root());
        return checker.problems;
    }

    /** cloud-config checks, each problem at the key or list item it is about. */
    private static final class Checker {
        private final String source;
        private final List<Problem> problems = new ArrayList<>();

        Checker(String source) {
            this.source = source;
        }

        private void error(Location at, String message) {
            problems.add(new Problem(source, at.line(), at.column(), message));
        }

        void cloudConfig(Node root) {
            if (!(root instanceof Mapping config)) {
                error(root.at(), "the top level must be a mapping of cloud-config keys, not " + root.kind());
                return;
            }
            for (Member m : config.members()) {
                String key = m.key();
                if (!MODULE_KEYS.contains(key)) {
                    error(m.at(), "unknown key '" + key + "'" + closest(key, MODULE_KEYS).map(k -> " (did you mean '" + k + "'?)")
                            .orElse(": not a cloud-init module's key"));
                } else if (STRING_KEYS.contains(key)) {
                    string(key, m.at(), m.value());
                } else if (BOOLEAN_KEYS.contains(key)) {
                    bool(key, m.at(), m.value());
                } else if (STRING_LIST_KEYS.contains(key)) {
                    stringList(key, m.at(), m.value());
                } else {
                    switch (key) {
                        case "users" -> users(m);
                        case "packages" -> packages(m);
                        case "runcmd", "bootcmd" -> commands(m);
                        case "write_files" -> writeFiles(m);
                        default -> { }
                    }
                }
            }
        }

        private boolean string(String what, Location at, Node value) {
            if (value instanceof Scalar s && s.value() instanceof String) {
                return true;
            }
            error(at, what + " must be a string, not " + value.kind());
            return false;
        }

        /** true or false, also as PyYAML reads YAML 1.1's yes, no, on and off. */
        private void bool(String what, Location at, Node value) {
            boolean ok = value instanceof Scalar s
                    && (s.value() instanceof Boolean || s.value() instanceof String text && Yaml.YAML11_BOOLEANS.contains(text));
            if (!ok) {
                error(at, what + " must be true or false, not " + value.kind());
            }
        }

        /** The items of a list, or null (with a problem) when {@code value} is not one. */
        private List<Node> list(String what, Location at, Node value) {
            if (value instanceof Sequence s) {
                return s.items();
            }
            error(at, what + " must be a list, not " + value.kind());
            return null;
        }

        private void stringList(String what, Location at, Node value) {
            List<Node> items = list(what, at, value);
            if (items != null) {
                items.forEach(item -> string(what + " item", item.at(), item));
            }
        }

        private void users(Member m) {
            // A comma-separated string of names is also cloud-init's.
            if (m.value() instanceof Scalar s && s.value() instanceof String) {
                return;
            }
            List<Node> items = list("users", m.at(), m.value());
            if (items == null) {
                return;
            }
            for (Node item : items) {
                switch (item) {
                    case Scalar s when s.value() instanceof String -> { }
                    case Mapping user -> user(user);
                    default -> error(item.at(), "users item must be 'default', a user name or a mapping, not " + item.kind());
                }
            }
        }

        private void user(Mapping user) {
            if (user.members().stream().noneMatch(m -> m.key().equals("name") || m.key().equals("snapuser"))) {
                error(user.at(), "user has no 'name'");
            }
            for (Member m : user.members()) {
                Node v = m.value();
                switch (m.key()) {
                    case "name", "shell", "gecos", "homedir", "primary_group", "passwd", "hashed_passwd",
                            "plain_text_passwd" -> string(m.key(), m.at(), v);
                    case "lock_passwd", "system", "no_create_home", "no_user_group", "create_groups" -> bool(m.key(), m.at(), v);
                    case "ssh_authorized_keys", "ssh_import_id" -> stringList(m.key(), m.at(), v);
                    case "groups" -> {
                        if (v instanceof Sequence) {
                            stringList("groups", m.at(), v);
                        } else if (!(v instanceof Mapping)) {
                            // A mapping of group names is deprecated in cloud-init but still read.
                            string("groups", m.at(), v);
                        }
                    }
                    case "sudo" -> sudo(m);
                    default -> { }
                }
            }
        }

        /** sudo: a sudoers rule, a list of them, or false (none); null is none too. */
        private void sudo(Member m) {
            switch (m.value()) {
                case Scalar s when s.value() == null || s.value() instanceof String || s.value() instanceof Boolean -> { }
                case Sequence s -> stringList("sudo", m.at(), s);
                default -> error(m.at(), "sudo must be a sudoers rule, a list of them or false, not " + m.value().kind());
            }
        }

        private void packages(Member m) {
            List<Node> items = list("packages", m.at(), m.value());
            if (items == null) {
                return;
            }
            for (Node item : items) {
                switch (item) {
                    case Scalar s when s.value() instanceof String -> { }
                    case Sequence pair -> {
                        if (pair.items().isEmpty() || pair.items().size() > 2) {
                            error(item.at(), "a packages item that is a list must be [name] or [name, version]");
                        }
                        for (Node part : pair.items()) {
                            if (!(part instanceof Scalar s && s.value() instanceof String)) {
                                error(part.at(), "a package name or version must be a string, not " + part.kind()
                                        + (part.kind().equals("a number") ? " (quote a version: '1.2')" : ""));
                            }
                        }
                    }
                    // cloud-init's per-manager form, {apt: [...], snap: [...]}.
                    case Mapping _ -> { }
                    default -> error(item.at(), "packages item must be a package name or [name, version], not " + item.kind());
                }
            }
        }

        /** runcmd and bootcmd: each item a shell line or an argv list; null items are skipped by cloud-init. */
        private void commands(Member m) {
            List<Node> items = list(m.key(), m.at(), m.value());
            if (items == null) {
                return;
            }
            for (Node item : items) {
                switch (item) {
                    case Scalar s when s.value() == null || s.value() instanceof String -> { }
                    case Sequence argv -> argv.items().forEach(arg -> string(m.key() + " argument", arg.at(), arg));
                    default -> error(item.at(), m.key() + " item must be a command line or a list of arguments, not "
                            + item.kind());
                }
            }
        }

        private void writeFiles(Member m) {
            List<Node> items = list("write_files", m.at(), m.value());
            if (items == null) {
                return;
            }
            for (Node item : items) {
                if (!(item instanceof Mapping file)) {
                    error(item.at(), "write_files item must be a mapping with a 'path', not " + item.kind());
                    continue;
                }
                if (file.members().stream().noneMatch(f -> f.key().equals("path"))) {
                    error(file.at(), "write_files item has no 'path'");
                }
                for (Member f : file.members()) {
                    Node v = f.value();
                    switch (f.key()) {
                        case "path", "content", "owner" -> string(f.key(), f.at(), v);
                        case "permissions" -> {
                            if (!(v instanceof Scalar s && s.value() instanceof String)) {
                                error(f.at(), "permissions must be a string such as '0644' (quoted: unquoted 0644"
                                        + " is an octal number to cloud-init), not " + v.kind());
                            }
                        }
                        case "encoding" -> {
                            if (string("encoding", f.at(), v) && !WRITE_FILES_ENCODINGS.contains((String) ((Scalar) v).value())) {
                                error(f.at(), "encoding '" + ((Scalar) v).value() + "' is none of "
                                        + WRITE_FILES_ENCODINGS.stream().sorted().toList());
                            }
                        }
                        case "append", "defer" -> bool(f.key(), f.at(), v);
                        case "source" -> { }
                        default -> error(f.at(), "unknown write_files key '" + f.key() + "'"
                                + closest(f.key(), WRITE_FILES_KEYS).map(k -> " (did you mean '" + k + "'?)").orElse(""));
                    }
                }
            }
        }
    }

    /** The known name at most two edits away from {@code name}, for "did you mean". */
    static Optional<String> closest(String name, Set<String> known) {
        if (name.length() > 64) {
            return Optional.empty();
        }
        return known.stream().filter(k -> distance(name, k) <= 2)
                .min(Comparator.comparingInt((String k) -> distance(name, k)).thenComparing(k -> k));
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
