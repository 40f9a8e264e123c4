package jvirt.core;

/** Why a machine stopped running. */
public sealed interface MachineExit {
    /** The process exit status a VMM reports for this ending. */
    int exitCode();

    /** The guest powered the machine off; {@code code} is its status (0 for a normal poweroff). */
    record PowerOff(int code) implements MachineExit {
        @Override
        public int exitCode() {
            return code;
        }
    }

    /** The guest asked for a reset (reboot). */
    record Reset() implements MachineExit {
        @Override
        public int exitCode() {
            return 0;
        }
    }

    /** The user ended the machine from the console (Ctrl-A X) or a signal. */
    record Quit() implements MachineExit {
        @Override
        public int exitCode() {
            return 0;
        }
    }

    /** The machine cannot go on: a guest state no hart can leave, or an emulator fault. */
    record Fault(String message) implements MachineExit {
        @Override
        public int exitCode() {
            return 3;
        }
    }
}
