package jvirt.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import jvirt.cloudinit.UserData.Format;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class UserDataTest {
    static final String WEB_SERVER = """
            #cloud-config
            hostname: webserver-01
            users:
              - default
              - name: admin
                sudo: ALL=(ALL) NOPASSWD:ALL
                shell: /bin/bash
                groups: [adm, www-data]
                lock_passwd: true
                ssh_authorized_keys:
                  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBn8 admin@example
            package_update: true
            package_upgrade: yes
            packages:
              - nginx
              - ufw
              - [curl, "8.5.0"]
            runcmd:
              - systemctl enable --now nginx
              - [ufw, allow, "80/tcp"]
            write_files:
              - path: /var/www/html/index.html
                content: |
                  <h1>hello</h1>
                owner: root:root
                permissions: '0644'
              - path: /etc/motd
                encoding: b64
                content: aGVsbG8K
                append: true
            """;

    private static List<String> problems(String userData) {
        return UserData.validate(userData.getBytes(StandardCharsets.UTF_8)).stream().map(Problem::toString).toList();
    }

    @Test
    void theWebServerConfigPasses() {
        assertThat(problems(WEB_SERVER)).isEmpty();
        assertThat(problems("#cloud-config\n")).isEmpty();
    }

    @Test
    void formats() {
        assertThat(UserData.format("#cloud-config\na: 1".getBytes())).contains(Format.CLOUD_CONFIG);
        assertThat(UserData.format("#cloud-config-archive\n- a".getBytes())).contains(Format.CLOUD_CONFIG_ARCHIVE);
        assertThat(UserData.format("#!/bin/sh\necho hi".getBytes())).contains(Format.SCRIPT);
        assertThat(UserData.format("#include\nhttp://x/y".getBytes())).contains(Format.INCLUDE);
        assertThat(UserData.format("#cloud-boothook\n".getBytes())).contains(Format.CLOUD_BOOTHOOK);
        assertThat(UserData.format("#part-handler\n".getBytes())).contains(Format.PART_HANDLER);
        assertThat(UserData.format("## template: jinja\n#cloud-config\n".getBytes())).contains(Format.JINJA_TEMPLATE);
        assertThat(UserData.format("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\n".getBytes()))
                .contains(Format.MIME_MULTIPART);
        assertThat(UserData.format(new byte[] {0x1f, (byte) 0x8b, 8, 0})).contains(Format.GZIP);
        assertThat(UserData.format("hostname: x\n".getBytes())).isEmpty();
    }

    @Test
    void scriptsMimeAndOthersPassUnchecked() {
        assertThat(problems("#!/bin/bash\nthis: [is not yaml\n")).isEmpty();
        assertThat(problems("Content-Type: multipart/mixed; boundary=\"==b==\"\nMIME-Version: 1.0\n\n--==b==\n")).isEmpty();
        assertThat(problems("## template: jinja\n#cloud-config\nhostname: {{ v1.local_hostname }}\n")).isEmpty();
    }

    @Test
    void anUnknownStartIsAnError() {
        assertThat(problems("hostname: x\n")).singleElement().asString()
                .startsWith("user-data line 1, column 1: starts with none of cloud-init's formats");
        assertThat(problems("")).hasSize(1);
    }

    @Test
    void yamlErrorsHaveLineAndColumn() {
        assertThat(problems("#cloud-config\nhostname: a\nusers: [a, b\n")).singleElement().asString()
                .matches("user-data line 4, column 1: .*").doesNotContain("\n");
        assertThat(problems("#cloud-config\nhostname: a\n  bad: indent\n")).singleElement().asString()
                .startsWith("user-data line 3, column ");
        assertThat(problems("#cloud-config\na: *nowhere\n")).singleElement().asString()
                .contains("line 2, column 4").contains("*nowhere");
        assertThat(problems("#cloud-config\nhostname: a\nhostname: b\n")).singleElement().asString()
                .isEqualTo("user-data line 3, column 1: duplicate key 'hostname' (first at line 2)");
        assertThat(problems("#cloud-config\nhostname: a\n---\nhostname: b\n")).singleElement().asString()
                .contains("second YAML document");
    }

    @Test
    void theTopLevelIsAMappingOfKnownKeys() {
        assertThat(problems("#cloud-config\n- a\n- b\n")).containsExactly(
                "user-data line 2, column 1: the top level must be a mapping of cloud-config keys, not a list");
        assertThat(problems("#cloud-config\nhostname: a\npackage: [nginx]\nfrobnicate: 1\n")).containsExactly(
                "user-data line 3, column 1: unknown key 'package' (did you mean 'packages'?)",
                "user-data line 4, column 1: unknown key 'frobnicate': not a cloud-init module's key");
    }

    @Test
    void typesOfTheCommonModules() {
        assertThat(problems("""
                #cloud-config
                hostname: [a]
                package_update: "sometimes"
                ssh_authorized_keys: ssh-rsa AAAA
                packages:
                  - nginx
                  - {}
                  - [curl, 8.5]
                  - [a, b, c]
                runcmd:
                  - echo hi
                  - [ls, 5]
                  - {a: b}
                bootcmd: echo
                """)).containsExactly(
                "user-data line 2, column 1: hostname must be a string, not a list",
                "user-data line 3, column 1: package_update must be true or false, not a string",
                "user-data line 4, column 1: ssh_authorized_keys must be a list, not a string",
                "user-data line 8, column 12: a package name or version must be a string, not a number (quote a version: '1.2')",
                "user-data line 9, column 5: a packages item that is a list must be [name] or [name, version]",
                "user-data line 12, column 10: runcmd argument must be a string, not a number",
                "user-data line 13, column 5: runcmd item must be a command line or a list of arguments, not a mapping",
                "user-data line 14, column 1: bootcmd must be a list, not a string");
    }

    @Test
    void users() {
        assertThat(problems("""
                #cloud-config
                users:
                  - default
                  - 5
                  - shell: /bin/sh
                  - name: bob
                    sudo: 1
                    shell: [bash]
                    lock_passwd: "no way"
                    ssh_authorized_keys: [[a]]
                    groups: 3
                  - name: carol
                    sudo: [ "ALL=(ALL) ALL" ]
                    groups: users, admin
                    lock_passwd: no
                """)).containsExactly(
                "user-data line 4, column 5: users item must be 'default', a user name or a mapping, not a number",
                "user-data line 5, column 5: user has no 'name'",
                "user-data line 7, column 5: sudo must be a sudoers rule, a list of them or false, not a number",
                "user-data line 8, column 5: shell must be a string, not a list",
                "user-data line 9, column 5: lock_passwd must be true or false, not a string",
                "user-data line 10, column 27: ssh_authorized_keys item must be a string, not a list",
                "user-data line 11, column 5: groups must be a string, not a number");
        assertThat(problems("#cloud-config\nusers: {bob: {}}\n")).containsExactly(
                "user-data line 2, column 1: users must be a list, not a mapping");
    }

    @Test
    void writeFiles() {
        assertThat(problems("""
                #cloud-config
                write_files:
                  - path: /etc/a
                    permissions: 0644
                    encoding: base32
                    append: sure
                    contents: x
                  - content: no path
                  - /etc/b
                """)).containsExactly(
                "user-data line 4, column 5: permissions must be a string such as '0644' (quoted: unquoted 0644 is an octal"
                        + " number to cloud-init), not a number",
                "user-data line 5, column 5: encoding 'base32' is none of [b64, base64, gz, gz+b64, gz+base64, gzip,"
                        + " gzip+b64, gzip+base64, text/plain]",
                "user-data line 6, column 5: append must be true or false, not a string",
                "user-data line 7, column 5: unknown write_files key 'contents' (did you mean 'content'?)",
                "user-data line 8, column 5: write_files item has no 'path'",
                "user-data line 9, column 5: write_files item must be a mapping with a 'path', not a string");
    }

    @Test
    void vendorDataIsNamedAsSuch() {
        assertThat(UserData.validate("vendor-data", "#cloud-config\nhostnam: x\n".getBytes())).singleElement().asString()
                .startsWith("vendor-data line 2, column 1: unknown key 'hostnam' (did you mean 'hostname'?)");
    }

    @Test
    @Timeout(20)
    void aBillionLaughsIsRefusedNotExpanded() {
        StringBuilder bomb = new StringBuilder("#cloud-config\nbootcmd: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) {
            bomb.append("l").append(i).append(": &a").append(i).append(" [").append(("*a" + (i - 1) + ", ").repeat(8))
                    .append("*a").append(i - 1).append("]\n");
        }
        assertThat(problems(bomb.toString())).anySatisfy(p -> assertThat(p).contains("aliases expand to more than"));
    }

    @Test
    @Timeout(20)
    void deepNestingIsRefused() {
        assertThat(problems("#cloud-config\nbootcmd: " + "[".repeat(100_000) + "\n")).singleElement().asString()
                .startsWith("user-data line 2, column ").contains("nested more than 64 levels");
        StringBuilder blocks = new StringBuilder("#cloud-config\n");
        for (int i = 0; i < 200; i++) {
            blocks.append(" ".repeat(i)).append("k").append(i).append(":\n");
        }
        assertThat(problems(blocks.toString())).singleElement().asString().contains("nested more than 64 levels");
    }

    @Test
    @Timeout(30)
    void hugeAndBinaryInputIsOneLineProblems() {
        byte[] huge = new byte[NoCloudSeed.MAX_FILE_SIZE + 1];
        assertThat(UserData.validate(huge)).singleElement().asString().isEqualTo("user-data: larger than 16 MiB");

        byte[] binary = new byte[100_000];
        new Random(1).nextBytes(binary);
        byte[] header = "#cloud-config\n".getBytes();
        System.arraycopy(header, 0, binary, 0, header.length);
        assertThat(UserData.validate(binary)).singleElement().asString().isEqualTo("user-data: not UTF-8 text");

        String control = "#cloud-config\nhostname: a\u0001b\n";
        assertThat(problems(control)).containsExactly("user-data line 2, column 12: character U+0001 is not allowed in YAML");

        String big = "#cloud-config\nwrite_files:\n" + "  - path: /x\n    content: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n".repeat(200_000);
        assertThat(big.length()).isGreaterThan(4 << 20);
        assertThat(problems(big)).isEmpty();
    }
}
