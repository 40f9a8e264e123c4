/**
 * cloud-init provisioning for jvirt guests. {@link jvirt.cloudinit.NoCloudSeed} builds the NoCloud
 * seed, the {@code cidata} volume holding {@code user-data}, {@code meta-data} and optionally
 * {@code network-config} and {@code vendor-data}, that cloud-init in a guest finds by its label;
 * {@link jvirt.cloudinit.IsoImage} writes it as an ISO 9660 image with Joliet and Rock Ridge names.
 * {@link jvirt.cloudinit.UserData} checks user-data before a boot: its format, and for
 * {@code #cloud-config} the YAML, the top-level keys against cloud-init's schema and the types of
 * the common modules, each {@link jvirt.cloudinit.Problem} with its line and column.
 */
package jvirt.cloudinit;
