/**
 * The engine behind {@code jvirt img}: the operations of {@code qemu-img} (convert, compare, map,
 * measure, rebase, commit) over any {@link jvirt.image.BlockDevice} and its backing chain. The
 * command line, its output formats and exit codes are the {@code cli} module's.
 */
package jvirt.image.tool;
