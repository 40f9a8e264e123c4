/**
 * The Debian cloud image ({@value jvirt.guest.cloud.CloudRecipe#IMAGE}): what goes into it and how
 * it is made ({@link jvirt.guest.cloud.CloudRecipe}). debootstrap's first stage runs on the host
 * under fakeroot ({@code FirstStage}); its second stage, the packages' maintainer scripts and
 * initramfs-tools among them, runs in a jvirt machine booted from the default guest
 * ({@code SecondStage}); the result is a qcow2 base image with its kernel and initramfs beside it.
 * {@link jvirt.guest.cloud.DiskBoot} finds the kernel and initramfs such a disk boots, for the
 * build and for every boot of a VM made from it.
 * The cache's side (where the files go, when the image is complete) is {@code jvirt.guest.ImageCache}'s.
 */
package jvirt.guest.cloud;
