package jvirt.guest.ext4;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

import jvirt.image.BlockDevice;

/**
 * An ext2, ext3 or ext4 file system on a disk, read only: path lookup (following symbolic links),
 * and the bytes of regular files and links. It is what a boot loader needs of a guest's root file
 * system, written from the kernel's on-disk format description ({@code Documentation/filesystems/ext4}).
 *
 * <p>The disk belongs to a guest and may be hostile: every block number, length, count, depth and
 * name is checked against the file system's own geometry and the disk's size, walks are bounded,
 * and anything out of shape is an {@link Ext4Exception}. Checksums are not verified (a damaged
 * block reads as it is, as with {@code debugfs}), and the journal is not replayed: a file system
 * that {@link #needsRecovery() needs recovery} may show metadata older than its last writes.
 */
public final class Ext4Volume {
    static final int SUPERBLOCK_OFFSET = 1024;
    private static final int MAGIC = 0xEF53;

    private static final int INCOMPAT_FILETYPE = 0x2;
    private static final int INCOMPAT_RECOVER = 0x4;
    private static final int INCOMPAT_META_BG = 0x10;
    private static final int INCOMPAT_EXTENTS = 0x40;
    private static final int INCOMPAT_64BIT = 0x80;
    /** Features that change nothing this reader looks at, or that it handles. */
    private static final int READABLE_INCOMPAT = INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_META_BG | INCOMPAT_EXTENTS
            | INCOMPAT_64BIT | 0x100 /* mmp */ | 0x200 /* flex_bg */ | 0x400 /* ea_inode */ | 0x2000 /* csum_seed */
            | 0x4000 /* largedir */ | 0x8000 /* inline_data */ | 0x10000 /* encrypt */ | 0x20000 /* casefold */;
    private static final int RO_COMPAT_SPARSE_SUPER = 0x1;
    private static final int COMPAT_SPARSE_SUPER2 = 0x200;

    private static final int INODE_FLAG_ENCRYPT = 0x800;
    private static final int INODE_FLAG_EXTENTS = 0x80000;
    private static final int INODE_FLAG_INLINE_DATA = 0x10000000;
    private static final int BLOCK_POINTERS = 15;
    private static final int DIRECT_BLOCKS = 12;
    private static final int EXTENT_MAGIC = 0xF30A;
    private static final int MAX_EXTENT_DEPTH = 5;
    /** Linux's MAXSYMLINKS: more links than this on one lookup is a loop. */
    private static final int MAX_LINKS = 40;
    private static final int PATH_MAX = 4096;
    private static final int ROOT_INODE = 2;
    /** Directories larger than this are refused rather than scanned (a guest could make one enormous). */
    private static final long MAX_DIRECTORY = 64L << 20;
    /** Bounds the extents one file may have: every one is held in memory while the file is read. */
    private static final int MAX_EXTENTS = 1 << 20;

    private final BlockDevice disk;
    private final int blockSize;
    private final long blocksCount;
    private final long firstDataBlock;
    private final long blocksPerGroup;
    private final long inodesPerGroup;
    private final long inodesCount;
    private final long groupCount;
    private final int inodeSize;
    private final int descriptorSize;
    private final int incompat;
    private final int compat;
    private final int roCompat;
    private final long firstMetaBg;
    private final long[] backupGroups;
    private final String label;

    private Ext4Volume(BlockDevice disk, ByteBuffer sb) throws Ext4Exception {
        this.disk = disk;
        if ((sb.getShort(0x38) & 0xFFFF) != MAGIC) {
            throw new Ext4Exception("the disk holds no ext2/3/4 file system (no superblock magic at byte 1024)");
        }
        int logBlockSize = sb.getInt(0x18);
        if (logBlockSize < 0 || logBlockSize > 6) {
            throw damaged("block size 1024 << " + Integer.toUnsignedString(logBlockSize));
        }
        blockSize = 1024 << logBlockSize;
        compat = sb.getInt(0x5C);
        incompat = sb.getInt(0x60);
        roCompat = sb.getInt(0x64);
        int unknown = incompat & ~READABLE_INCOMPAT;
        if (unknown != 0) {
            throw new Ext4Exception("the file system uses incompatible features this reader does not know (0x"
                    + Integer.toHexString(unknown) + ")");
        }
        boolean wide = (incompat & INCOMPAT_64BIT) != 0;
        blocksCount = u32(sb, 0x4) | (wide ? u32(sb, 0x150) << 32 : 0);
        firstDataBlock = u32(sb, 0x14);
        blocksPerGroup = u32(sb, 0x20);
        inodesPerGroup = u32(sb, 0x28);
        inodesCount = u32(sb, 0x0);
        boolean dynamic = sb.getInt(0x4C) >= 1;
        inodeSize = dynamic ? sb.getShort(0x58) & 0xFFFF : 128;
        descriptorSize = wide ? sb.getShort(0xFE) & 0xFFFF : 32;
        firstMetaBg = u32(sb, 0x104);
        long bitsPerBlock = 8L * blockSize;
        if (blocksPerGroup == 0 || blocksPerGroup > bitsPerBlock || inodesPerGroup == 0 || inodesPerGroup > bitsPerBlock) {
            throw damaged("blocks or inodes per group out of range");
        }
        if (inodeSize < 128 || inodeSize > blockSize || Integer.bitCount(inodeSize) != 1) {
            throw damaged("inode size " + inodeSize);
        }
        if (descriptorSize < 32 || descriptorSize > blockSize || Integer.bitCount(descriptorSize) != 1
                || (wide && descriptorSize < 64)) {
            throw damaged("group descriptor size " + descriptorSize);
        }
        if (firstDataBlock >= blocksCount || blocksCount > disk.size() / blockSize) {
            throw damaged("it claims " + blocksCount + " blocks of " + blockSize + " bytes on a disk of " + disk.size()
                    + " bytes");
        }
        groupCount = Math.ceilDiv(blocksCount - firstDataBlock, blocksPerGroup);
        if (inodesCount > groupCount * inodesPerGroup) {
            throw damaged("more inodes than its groups hold");
        }
        backupGroups = new long[] {u32(sb, 0x24C), u32(sb, 0x250)};
        byte[] name = new byte[16];
        sb.get(0x78, name);
        int length = 0;
        while (length < name.length && name[length] != 0) {
            length++;
        }
        label = new String(name, 0, length, StandardCharsets.UTF_8);
    }

    /** Reads the superblock of the file system that fills {@code disk} from its start. */
    public static Ext4Volume open(BlockDevice disk) throws IOException {
        if (disk.size() < SUPERBLOCK_OFFSET + 1024) {
            throw new Ext4Exception("the disk is too small to hold an ext2/3/4 file system");
        }
        return new Ext4Volume(disk, readBytes(disk, SUPERBLOCK_OFFSET, 1024));
    }

    /** The volume label ({@code e2label}), empty when it has none. */
    public String label() {
        return label;
    }

    /**
     * Whether the journal holds writes not yet in place (the file system was not unmounted
     * cleanly): what this reader sees may then be older than what the guest last wrote.
     */
    public boolean needsRecovery() {
        return (incompat & INCOMPAT_RECOVER) != 0;
    }

    /** A file found by {@link #resolve}: its path with every link followed, and its inode. */
    public record Resolved(String path, Inode inode) {
    }

    /** An inode as read from the disk; only what reading files needs. */
    public static final class Inode {
        private static final int TYPE_MASK = 0xF000;
        private final long number;
        private final int mode;
        private final long size;
        private final int flags;
        private final ByteBuffer blocks;

        private Inode(long number, ByteBuffer raw) {
            this.number = number;
            mode = raw.getShort(0x0) & 0xFFFF;
            size = u32(raw, 0x4) | u32(raw, 0x6C) << 32;
            flags = raw.getInt(0x20);
            blocks = raw.slice(0x28, BLOCK_POINTERS * 4).order(ByteOrder.LITTLE_ENDIAN);
        }

        public long number() {
            return number;
        }

        /** The file's length in bytes. */
        public long size() {
            return size;
        }

        public boolean isRegularFile() {
            return (mode & TYPE_MASK) == 0x8000;
        }

        public boolean isDirectory() {
            return (mode & TYPE_MASK) == 0x4000;
        }

        public boolean isSymbolicLink() {
            return (mode & TYPE_MASK) == 0xA000;
        }
    }

    /**
     * Finds an absolute path, following every symbolic link on the way (the last one too), as the
     * guest's kernel would with this file system as its root.
     */
    public Resolved resolve(String path) throws IOException {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path: " + path);
        }
        Deque<String> pending = new ArrayDeque<>(components(path));
        Deque<String> names = new ArrayDeque<>();
        Deque<Inode> directories = new ArrayDeque<>();
        Inode root = inode(ROOT_INODE);
        directories.push(root);
        int links = 0;
        while (!pending.isEmpty()) {
            String name = pending.removeFirst();
            if (name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!names.isEmpty()) {
                    names.pop();
                    directories.pop();
                }
                continue;
            }
            Inode directory = directories.peek();
            String where = "/" + String.join("/", names.reversed());
            if (!directory.isDirectory()) {
                throw new Ext4Exception(where + " is not a directory");
            }
            long number = lookup(directory, name);
            if (number == 0) {
                throw new Ext4Exception("no " + (where.equals("/") ? "" : where) + "/" + name + " on the file system");
            }
            Inode node = inode(number);
            if (node.isSymbolicLink()) {
                if (++links > MAX_LINKS) {
                    throw new Ext4Exception("too many symbolic links resolving " + path);
                }
                String target = readLink(node);
                List<String> parts = components(target);
                for (int i = parts.size() - 1; i >= 0; i--) {
                    pending.addFirst(parts.get(i));
                }
                if (target.startsWith("/")) {
                    names.clear();
                    directories.clear();
                    directories.push(root);
                }
                continue;
            }
            names.push(name);
            directories.push(node);
        }
        return new Resolved("/" + String.join("/", names.reversed()), directories.peek());
    }

    /** Writes a regular file's bytes to {@code out}; files longer than {@code maxBytes} are refused. */
    public void copy(Inode file, long maxBytes, OutputStream out) throws IOException {
        if (!file.isRegularFile()) {
            throw new Ext4Exception("inode " + file.number + " is not a regular file");
        }
        if (file.size > maxBytes) {
            throw new Ext4Exception("inode " + file.number + " holds " + file.size + " bytes, more than the " + maxBytes
                    + " allowed");
        }
        readData(file, out);
    }

    /** A symbolic link's target. */
    public String readLink(Inode link) throws IOException {
        if (!link.isSymbolicLink()) {
            throw new Ext4Exception("inode " + link.number + " is not a symbolic link");
        }
        if (link.size == 0 || link.size >= PATH_MAX) {
            throw damaged("symbolic link inode " + link.number + " has length " + link.size);
        }
        byte[] target;
        if (link.size < BLOCK_POINTERS * 4 && (link.flags & INODE_FLAG_EXTENTS) == 0) {
            target = new byte[(int) link.size]; // a fast link: the target sits where block pointers would
            link.blocks.get(0, target);
        } else {
            target = readAll(link);
        }
        for (byte b : target) {
            if (b == 0) {
                throw damaged("symbolic link inode " + link.number + " has a NUL in its target");
            }
        }
        return new String(target, StandardCharsets.UTF_8);
    }

    private static List<String> components(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return parts;
    }

    /** The inode number {@code name} has in {@code directory}, 0 when it has none. */
    private long lookup(Inode directory, String name) throws IOException {
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        if (directory.size > MAX_DIRECTORY) {
            throw new Ext4Exception("directory inode " + directory.number + " is larger than " + MAX_DIRECTORY + " bytes");
        }
        ByteBuffer data = ByteBuffer.wrap(readAll(directory)).order(ByteOrder.LITTLE_ENDIAN);
        boolean typed = (incompat & INCOMPAT_FILETYPE) != 0;
        // Entries never cross a block; hashed (htree) directories keep their index in entries of inode 0, so a linear walk sees every name.
        for (int block = 0; block < data.limit(); block += blockSize) {
            int end = Math.min(block + blockSize, data.limit());
            int at = block;
            while (at + 8 <= end) {
                long inode = u32(data, at);
                int recordLength = data.getShort(at + 4) & 0xFFFF;
                if (recordLength == 0 || recordLength == 0xFFFF) {
                    recordLength = blockSize == 65536 ? 65536 : recordLength; // how 64 KiB blocks write one whole-block entry
                }
                int nameLength = typed ? data.get(at + 6) & 0xFF : data.getShort(at + 6) & 0xFFFF;
                if (recordLength < 8 || (recordLength & 3) != 0 || at + recordLength > end || 8 + nameLength > recordLength) {
                    throw damaged("directory inode " + directory.number + " has a bad entry at byte " + at);
                }
                if (inode != 0 && nameLength == wanted.length && Arrays.equals(data.array(), at + 8, at + 8 + nameLength, wanted, 0, nameLength)) {
                    if (inode > inodesCount) {
                        throw damaged("directory inode " + directory.number + " names inode " + inode);
                    }
                    return inode;
                }
                at += recordLength;
            }
        }
        return 0;
    }

    private Inode inode(long number) throws IOException {
        if (number < 1 || number > inodesCount) {
            throw damaged("inode number " + number);
        }
        long group = (number - 1) / inodesPerGroup;
        long index = (number - 1) % inodesPerGroup;
        ByteBuffer descriptor = readBytes(disk, descriptorOffset(group), descriptorSize);
        long table = u32(descriptor, 0x8) | (descriptorSize >= 64 ? u32(descriptor, 0x28) << 32 : 0);
        long tableBlocks = Math.ceilDiv(inodesPerGroup * inodeSize, blockSize);
        if (table < firstDataBlock || table > blocksCount - tableBlocks) {
            throw damaged("group " + group + " has its inode table at block " + table);
        }
        ByteBuffer raw = read(table * blockSize + index * inodeSize, inodeSize);
        return new Inode(number, raw);
    }

    /** Where the descriptor of {@code group} is: after the superblock, or with meta_bg in the first block(s) of its meta group. */
    private long descriptorOffset(long group) throws Ext4Exception {
        long perBlock = blockSize / descriptorSize;
        long descriptorBlock = group / perBlock;
        long block;
        if ((incompat & INCOMPAT_META_BG) == 0 || descriptorBlock < firstMetaBg) {
            block = firstDataBlock + 1 + descriptorBlock;
        } else {
            long first = descriptorBlock * perBlock;
            block = firstDataBlock + first * blocksPerGroup + (hasSuperblock(first) ? 1 : 0);
        }
        if (block >= blocksCount) {
            throw damaged("the descriptor of group " + group + " would be at block " + block);
        }
        return block * blockSize + (group % perBlock) * descriptorSize;
    }

    /** Whether a group starts with a copy of the superblock (sparse_super: 0, 1 and powers of 3, 5 and 7). */
    private boolean hasSuperblock(long group) {
        if (group == 0) {
            return true;
        }
        if ((compat & COMPAT_SPARSE_SUPER2) != 0) {
            return group == backupGroups[0] || group == backupGroups[1];
        }
        if ((roCompat & RO_COMPAT_SPARSE_SUPER) == 0 || group == 1) {
            return true;
        }
        for (long base : new long[] {3, 5, 7}) {
            long power = base;
            while (power < group) {
                power *= base;
            }
            if (power == group) {
                return true;
            }
        }
        return false;
    }

    /** A run of a file's blocks that lie one after the other on the disk; {@code physical} 0 for a run that reads as zeros. */
    private record Run(long logical, long physical, long length) {
    }

    /** A small file's bytes (a directory, a link's target); callers bound its size first. */
    private byte[] readAll(Inode file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) file.size);
        readData(file, bytes);
        return bytes.toByteArray();
    }

    private void readData(Inode file, OutputStream out) throws IOException {
        if ((file.flags & INODE_FLAG_ENCRYPT) != 0) {
            throw new Ext4Exception("inode " + file.number + " is encrypted");
        }
        if ((file.flags & INODE_FLAG_INLINE_DATA) != 0) {
            throw new Ext4Exception("inode " + file.number + " keeps its data inline, which this reader does not read");
        }
        long blocks = Math.ceilDiv(file.size, blockSize);
        List<Run> runs = new ArrayList<>();
        if ((file.flags & INODE_FLAG_EXTENTS) != 0) {
            // A real tree has fewer nodes than the file has blocks; a crafted one could point many entries at one node.
            long[] nodeBudget = {2 * blocks + 16};
            extents(file, file.blocks, MAX_EXTENT_DEPTH, true, blocks, runs, nodeBudget);
            runs.sort(Comparator.comparingLong(Run::logical));
        } else {
            mapped(file, blocks, runs);
        }
        long remaining = file.size;
        long next = 0;
        byte[] zeros = new byte[blockSize];
        for (Run run : runs) {
            if (run.logical < next) {
                throw damaged("inode " + file.number + " maps block " + run.logical + " twice");
            }
            if (run.logical >= blocks) {
                break; // preallocated beyond the end of the file
            }
            for (; next < run.logical; next++) {
                remaining -= writeZeros(out, zeros, remaining);
            }
            long length = Math.min(run.length, blocks - run.logical);
            for (long done = 0; done < length; ) {
                int chunk = (int) Math.min(length - done, Math.max(1, (1 << 20) / blockSize));
                int bytes = (int) Math.min((long) chunk * blockSize, remaining);
                if (run.physical == 0) {
                    for (int i = 0; i < chunk; i++) {
                        remaining -= writeZeros(out, zeros, remaining);
                    }
                } else {
                    ByteBuffer data = read((run.physical + done) * blockSize, bytes);
                    out.write(data.array(), data.arrayOffset(), bytes);
                    remaining -= bytes;
                }
                done += chunk;
            }
            next = run.logical + length;
        }
        while (remaining > 0) {
            remaining -= writeZeros(out, zeros, remaining); // a hole at the end
        }
    }

    private int writeZeros(OutputStream out, byte[] zeros, long remaining) throws IOException {
        int n = (int) Math.min(blockSize, remaining);
        out.write(zeros, 0, n);
        return n;
    }

    /** Collects the leaves of an extent tree node; depth only ever falls, so a node cannot lead back to itself. */
    private void extents(Inode file, ByteBuffer node, int maxDepth, boolean root, long fileBlocks, List<Run> runs,
            long[] nodeBudget) throws IOException {
        if ((node.getShort(0) & 0xFFFF) != EXTENT_MAGIC) {
            throw damaged("inode " + file.number + " has an extent node without its magic");
        }
        int entries = node.getShort(2) & 0xFFFF;
        int max = node.getShort(4) & 0xFFFF;
        int depth = node.getShort(6) & 0xFFFF;
        if (depth > maxDepth || entries > max || 12 + 12L * max > node.limit() || (!root && depth != maxDepth)) {
            throw damaged("inode " + file.number + " has an extent node out of shape");
        }
        for (int i = 0; i < entries; i++) {
            int at = 12 + 12 * i;
            long logical = u32(node, at);
            if (depth == 0) {
                int length = node.getShort(at + 4) & 0xFFFF;
                boolean unwritten = length > 32768;
                long count = unwritten ? length - 32768 : length;
                long start = (node.getShort(at + 6) & 0xFFFFL) << 32 | u32(node, at + 8);
                if (count == 0 || start < firstDataBlock || start > blocksCount - count) {
                    throw damaged("inode " + file.number + " has an extent at block " + start + " of " + count + " blocks");
                }
                if (runs.size() >= MAX_EXTENTS) {
                    throw damaged("inode " + file.number + " has more than " + MAX_EXTENTS + " extents");
                }
                if (logical < fileBlocks) {
                    runs.add(new Run(logical, unwritten ? 0 : start, count)); // unwritten extents read as zeros
                }
            } else if (logical < fileBlocks) {
                long child = u32(node, at + 4) | (node.getShort(at + 8) & 0xFFFFL) << 32;
                if (child < firstDataBlock || child >= blocksCount) {
                    throw damaged("inode " + file.number + " has an extent index pointing at block " + child);
                }
                if (--nodeBudget[0] < 0) {
                    throw damaged("inode " + file.number + " has more extent tree nodes than blocks");
                }
                extents(file, read(child * blockSize, blockSize), depth - 1, false, fileBlocks, runs, nodeBudget);
            }
        }
    }

    /** Collects the runs of a file mapped by block pointers (ext2/ext3): 12 direct, then single, double and triple indirect. */
    private void mapped(Inode file, long fileBlocks, List<Run> runs) throws IOException {
        long perBlock = blockSize / 4;
        long logical = 0;
        for (int i = 0; i < DIRECT_BLOCKS && logical < fileBlocks; i++, logical++) {
            add(file, runs, logical, u32(file.blocks, 4 * i));
        }
        long span = 1;
        for (int level = 0; level < 3 && logical < fileBlocks; level++) {
            span *= perBlock;
            long pointer = u32(file.blocks, 4 * (DIRECT_BLOCKS + level));
            indirect(file, pointer, level, logical, fileBlocks, runs);
            logical += span;
        }
    }

    private void indirect(Inode file, long pointer, int level, long logical, long fileBlocks, List<Run> runs)
            throws IOException {
        long perBlock = blockSize / 4;
        long span = 1;
        for (int i = 0; i < level; i++) {
            span *= perBlock;
        }
        if (pointer == 0) {
            return; // a hole of `span * perBlock` blocks: the caller writes zeros up to the next run
        }
        checkBlock(file, pointer);
        ByteBuffer table = read(pointer * blockSize, blockSize);
        for (int i = 0; i < perBlock && logical < fileBlocks; i++, logical += span) {
            long entry = u32(table, 4 * i);
            if (level == 0) {
                add(file, runs, logical, entry);
            } else {
                indirect(file, entry, level - 1, logical, fileBlocks, runs);
            }
        }
    }

    private void add(Inode file, List<Run> runs, long logical, long physical) throws Ext4Exception {
        if (physical == 0) {
            return;
        }
        checkBlock(file, physical);
        if (!runs.isEmpty()) {
            Run last = runs.getLast();
            if (last.logical + last.length == logical && last.physical + last.length == physical) {
                runs.set(runs.size() - 1, new Run(last.logical, last.physical, last.length + 1));
                return;
            }
        }
        runs.add(new Run(logical, physical, 1));
    }

    private void checkBlock(Inode file, long block) throws Ext4Exception {
        if (block < firstDataBlock || block >= blocksCount) {
            throw damaged("inode " + file.number + " points at block " + block);
        }
    }

    private ByteBuffer read(long offset, int length) throws IOException {
        return readBytes(disk, offset, length);
    }

    private static ByteBuffer readBytes(BlockDevice disk, long offset, int length) throws IOException {
        if (offset < 0 || offset > disk.size() - length) {
            throw damaged("a read of " + length + " bytes at " + offset + " lies beyond the disk's end");
        }
        byte[] bytes = new byte[length];
        disk.read(offset, MemorySegment.ofArray(bytes));
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xFFFFFFFFL;
    }

    private static Ext4Exception damaged(String what) {
        return new Ext4Exception("the ext4 file system is damaged: " + what);
    }
}
