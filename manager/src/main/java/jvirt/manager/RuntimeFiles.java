package jvirt.manager;

import java.nio.file.Path;

/**
 * The files a running VM keeps in its directory beside {@code vm.json}: the sockets it serves,
 * the pid of its process, the lock that process holds for its whole life (the one proof that it
 * runs: the kernel drops it when the process dies), the reason it crashed, and its logs.
 */
record RuntimeFiles(Path dir) {
    Path control() {
        return dir.resolve("control.sock");
    }

    Path console() {
        return dir.resolve("console.sock");
    }

    Path pid() {
        return dir.resolve("vm.pid");
    }

    Path runLock() {
        return dir.resolve("run.lock");
    }

    Path crashed() {
        return dir.resolve("crashed");
    }

    Path consoleLog() {
        return dir.resolve("console.log");
    }

    Path processLog() {
        return dir.resolve("vm.log");
    }
}
