package jvirt.image.vhdx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.UUID;

/** A GUID in the byte layout VHDX stores (the first three fields little-endian, as Windows writes them). */
record Guid(byte[] bytes) {
    static final Guid ZERO = new Guid(new byte[16]);
    static final Guid BAT = parse("2DC27766-F623-4200-9D64-115E9BFD4A08");
    static final Guid METADATA = parse("8B7CA206-4790-4B9A-B8FE-575F050F886E");
    static final Guid FILE_PARAMETERS = parse("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
    static final Guid VIRTUAL_DISK_SIZE = parse("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
    static final Guid PAGE_83 = parse("BECA12AB-B2E6-4523-93EF-C309E000C746");
    static final Guid LOGICAL_SECTOR_SIZE = parse("8141BF1D-A96F-4709-BA47-F233A8FAAB5F");
    static final Guid PHYSICAL_SECTOR_SIZE = parse("CDA348C7-445D-4471-9CC9-E9885251C556");
    static final Guid PARENT_LOCATOR = parse("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C");

    static Guid parse(String text) {
        return of(UUID.fromString(text));
    }

    static Guid of(UUID u) {
        ByteBuffer b = ByteBuffer.allocate(16);
        long hi = u.getMostSignificantBits();
        b.order(ByteOrder.LITTLE_ENDIAN).putInt((int) (hi >>> 32)).putShort((short) (hi >>> 16)).putShort((short) hi);
        b.order(ByteOrder.BIG_ENDIAN).putLong(u.getLeastSignificantBits());
        return new Guid(b.array());
    }

    static Guid random() {
        return of(UUID.randomUUID());
    }

    static Guid read(ByteBuffer b, int at) {
        byte[] g = new byte[16];
        b.get(at, g);
        return new Guid(g);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Guid g && Arrays.equals(bytes, g.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
