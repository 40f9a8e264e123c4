package jvirt.virt.fdt;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A device tree under construction, written out as a flattened device tree blob (Devicetree
 * Specification v0.4, chapter 5): header, memory reservation block, structure block and strings
 * block, all big-endian.
 */
public final class Fdt {
    private static final int MAGIC = 0xD00DFEED;
    private static final int VERSION = 17;
    private static final int LAST_COMPATIBLE_VERSION = 16;
    private static final int HEADER_SIZE = 40;
    private static final int BEGIN_NODE = 1;
    private static final int END_NODE = 2;
    private static final int PROP = 3;
    private static final int END = 9;

    private final Node root = new Node("");
    private int nextPhandle = 1;

    public Node root() {
        return root;
    }

    /** A fresh phandle value for a node that others refer to. */
    public int allocatePhandle() {
        return nextPhandle++;
    }

    /** A node: properties in insertion order, then children. */
    public static final class Node {
        private final String name;
        private final List<Map.Entry<String, byte[]>> properties = new ArrayList<>();
        private final List<Node> children = new ArrayList<>();

        private Node(String name) {
            this.name = name;
        }

        public Node node(String childName) {
            Node child = new Node(childName);
            children.add(child);
            return child;
        }

        /** A property with raw bytes. */
        public Node bytes(String property, byte[] value) {
            properties.add(Map.entry(property, value.clone()));
            return this;
        }

        /** An empty (boolean) property. */
        public Node flag(String property) {
            return bytes(property, new byte[0]);
        }

        /** A string, or a string list when given several. */
        public Node string(String property, String... values) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String v : values) {
                out.writeBytes(v.getBytes(StandardCharsets.UTF_8));
                out.write(0);
            }
            return bytes(property, out.toByteArray());
        }

        /** 32-bit cells. */
        public Node cells(String property, int... values) {
            ByteBuffer b = ByteBuffer.allocate(4 * values.length);
            for (int v : values) {
                b.putInt(v);
            }
            return bytes(property, b.array());
        }

        /** 64-bit values, each as two cells. */
        public Node longs(String property, long... values) {
            ByteBuffer b = ByteBuffer.allocate(8 * values.length);
            for (long v : values) {
                b.putLong(v);
            }
            return bytes(property, b.array());
        }
    }

    /** The blob, with {@code spare} free bytes at its end for firmware that edits the tree in place. */
    public byte[] toBlob(int spare) {
        ByteArrayOutputStream structure = new ByteArrayOutputStream();
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        Map<String, Integer> stringOffsets = new HashMap<>();
        writeNode(root, structure, strings, stringOffsets);
        putInt(structure, END);
        byte[] struct = structure.toByteArray();
        byte[] str = strings.toByteArray();

        int reservationOffset = HEADER_SIZE;
        int reservationSize = 16; // just the terminating empty entry
        int structOffset = reservationOffset + reservationSize;
        int stringsOffset = structOffset + struct.length;
        int total = align(stringsOffset + str.length, 8) + spare;

        ByteBuffer blob = ByteBuffer.allocate(total);
        blob.putInt(MAGIC).putInt(total).putInt(structOffset).putInt(stringsOffset).putInt(reservationOffset)
                .putInt(VERSION).putInt(LAST_COMPATIBLE_VERSION).putInt(0).putInt(str.length).putInt(struct.length);
        blob.position(structOffset);
        blob.put(struct);
        blob.put(str);
        return blob.array();
    }

    private static void writeNode(Node node, ByteArrayOutputStream out, ByteArrayOutputStream strings,
            Map<String, Integer> offsets) {
        putInt(out, BEGIN_NODE);
        putPadded(out, (node.name + "\0").getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> p : node.properties) {
            Integer nameOffset = offsets.get(p.getKey());
            if (nameOffset == null) {
                nameOffset = strings.size();
                offsets.put(p.getKey(), nameOffset);
                strings.writeBytes((p.getKey() + "\0").getBytes(StandardCharsets.UTF_8));
            }
            putInt(out, PROP);
            putInt(out, p.getValue().length);
            putInt(out, nameOffset);
            putPadded(out, p.getValue());
        }
        for (Node child : node.children) {
            writeNode(child, out, strings, offsets);
        }
        putInt(out, END_NODE);
    }

    private static void putInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static void putPadded(ByteArrayOutputStream out, byte[] bytes) {
        out.writeBytes(bytes);
        for (int i = bytes.length; i % 4 != 0; i++) {
            out.write(0);
        }
    }

    private static int align(int v, int to) {
        return (v + to - 1) & -to;
    }
}
