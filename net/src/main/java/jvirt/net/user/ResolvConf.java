package jvirt.net.user;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The host's DNS servers: the {@code nameserver} lines of resolv.conf(5), port 53. */
final class ResolvConf {
    private ResolvConf() {
    }

    /** The servers {@code file} names; none when it is missing or names none. */
    static List<InetSocketAddress> nameservers(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new IOException("cannot read " + file + " for the host's DNS servers (" + e.getMessage() + "); give one with dns-upstream=ADDRESS", e);
        }
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String line : lines) {
            String[] words = line.trim().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver")) {
                try {
                    servers.add(new InetSocketAddress(InetAddress.ofLiteral(words[1]), 53));
                } catch (IllegalArgumentException e) {
                    // Not a literal Java takes (a scoped IPv6 address, say): the resolver's other lines still count.
                }
            }
        }
        return servers;
    }
}
