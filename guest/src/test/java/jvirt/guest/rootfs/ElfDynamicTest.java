package jvirt.guest.rootfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jvirt.guest.kernel.TinyElf;
import org.junit.jupiter.api.Test;

class ElfDynamicTest {
    private static final String LOADER = "/lib/ld-linux-riscv64-lp64d.so.1";

    @Test
    void readsTheLoaderAndTheNeededLibrariesOfAProgram() throws IOException {
        byte[] mke2fs = TinyProgram.program(LOADER, "libext2fs.so.2", "libc.so.6", "ld-linux-riscv64-lp64d.so.1");

        assertThat(ElfDynamic.isElf(mke2fs)).isTrue();
        assertThat(ElfDynamic.read(mke2fs)).isEqualTo(new ElfDynamic(Optional.of(LOADER),
                List.of("libext2fs.so.2", "libc.so.6", "ld-linux-riscv64-lp64d.so.1")));
    }

    @Test
    void aLibraryHasNoLoaderAndAnObjectWithoutProgramHeadersNeedsNothing() throws IOException {
        assertThat(ElfDynamic.read(TinyProgram.library("libc.so.6"))).isEqualTo(new ElfDynamic(Optional.empty(), List.of("libc.so.6")));
        assertThat(ElfDynamic.read(TinyProgram.library())).isEqualTo(new ElfDynamic(Optional.empty(), List.of()));
        assertThat(ElfDynamic.read(TinyElf.module("depends="))).isEqualTo(new ElfDynamic(Optional.empty(), List.of()));
    }

    @Test
    void refusesWhatItCannotRead() {
        byte[] program = TinyProgram.program(LOADER, "libc.so.6");
        byte[] elf32 = program.clone();
        elf32[4] = 1;

        assertThat(ElfDynamic.isElf("#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThatThrownBy(() -> ElfDynamic.read("[defaults]\n".getBytes(StandardCharsets.US_ASCII))).hasMessage("not an ELF file");
        assertThatThrownBy(() -> ElfDynamic.read(elf32)).hasMessage("not a 64-bit little-endian ELF file");
        assertThatThrownBy(() -> ElfDynamic.read(Arrays.copyOf(program, program.length - 20)))
                .isInstanceOf(IOException.class).hasMessage("ELF segment extends past the end of the file");
    }

    /** The host's own java launcher, read by jvirt and by binutils' readelf. */
    @Test
    void agreesWithReadelfOnAHostProgram() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String readelf;
        try {
            Process p = new ProcessBuilder("readelf", "-d", "-l", "-W", java.toString()).redirectErrorStream(true).start();
            readelf = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "readelf failed: " + readelf);
        } catch (IOException e) {
            assumeTrue(false, "no readelf on this host");
            return;
        }
        List<String> needed = new ArrayList<>();
        Matcher m = Pattern.compile("\\(NEEDED\\)\\s+Shared library: \\[([^\\]]+)\\]").matcher(readelf);
        while (m.find()) {
            needed.add(m.group(1));
        }
        Matcher interpreter = Pattern.compile("Requesting program interpreter: ([^\\]]+)\\]").matcher(readelf);

        ElfDynamic dynamic = ElfDynamic.read(Files.readAllBytes(java));

        assertThat(dynamic.needed()).isNotEmpty().isEqualTo(needed);
        assertThat(dynamic.interpreter()).isEqualTo(interpreter.find() ? Optional.of(interpreter.group(1)) : Optional.empty());
    }
}
