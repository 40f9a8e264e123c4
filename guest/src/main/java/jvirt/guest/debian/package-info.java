/**
 * The Debian archive as a client sees it: finding a Debian mirror in the host's apt sources
 * ({@link jvirt.guest.debian.AptSources}), the deb822 control format shared by sources files,
 * Release files and Packages indexes ({@link jvirt.guest.debian.Deb822}), the Release file's
 * checksums ({@link jvirt.guest.debian.ReleaseFile}), Packages stanzas with their versions and
 * relations ({@link jvirt.guest.debian.PackagesIndex}), verified downloads over HTTP
 * ({@link jvirt.guest.debian.DebianMirror}), and reading the files inside a {@code .deb}
 * ({@link jvirt.guest.debian.DebPackage}) without unpacking it to disk.
 */
package jvirt.guest.debian;
