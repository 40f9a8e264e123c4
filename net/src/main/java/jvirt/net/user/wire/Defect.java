package jvirt.net.user.wire;

/** Why a decoder refused a packet; the NAT counts each kind. */
public enum Defect {
    /** Shorter than its headers or than the lengths it declares. */
    TRUNCATED,
    /** A field holds a value the format does not allow. */
    MALFORMED,
    /** The header or transport checksum does not match the bytes. */
    BAD_CHECKSUM,
    /** A fragment of a larger IPv4 datagram: the NAT does not reassemble. */
    FRAGMENT
}
