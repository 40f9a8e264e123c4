/**
 * {@code jvirt img}: qemu-img's subcommands, options, output (human and {@code --output=json})
 * and exit codes, over the engine in {@code jvirt.image.tool}.
 */
package jvirt.cli.img;
