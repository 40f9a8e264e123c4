package jvirt.guest.debian;

import java.io.IOException;
import java.net.URI;

/** Says which Debian mirror to download from. */
@FunctionalInterface
public interface MirrorLocator {
    URI locate() throws IOException;
}
