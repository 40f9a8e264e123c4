package jvirt.cli.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import jvirt.manager.VmName;
import jvirt.manager.VmRuntime;
import jvirt.manager.control.ControlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jvirt vm exec NAME [--timeout S] -- COMMAND [ARG…]}: runs a command in the guest through
 * its agent ({@code guest-exec}, then {@code guest-exec-status} until it exits), prints what it
 * wrote to its stdout and stderr, and exits with its status (128 + N when signal N ended it).
 */
@Command(name = "exec", description = {"Run a command in a running VM through its guest agent; its output is"
        + " printed when it ends and its exit status is jvirt's.", "Put -- before the command."})
final class ExecCommand extends VmSubcommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A VM just started may still be booting: the first command waits longer for its agent. */
    private static final Duration AGENT_UP_WAIT = Duration.ofSeconds(90);
    private static final Duration AGENT_WAIT = Duration.ofSeconds(30);
    private static final long MAX_POLL_MS = 200;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND",
            description = "The program (looked up in the guest's PATH) and its arguments.")
    List<String> command;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "Give up waiting for the command after this long (0: wait as long as it runs).")
    int timeout;

    @Override
    int execute() throws IOException, InterruptedException, ControlException {
        VmName vm = name(name);
        VmRuntime runtime = runtime();
        ObjectNode exec = JSON.createObjectNode().put("execute", "guest-exec");
        ObjectNode arguments = exec.putObject("arguments").put("path", command.getFirst()).put("capture-output", true);
        ArrayNode args = arguments.putArray("arg");
        command.subList(1, command.size()).forEach(args::add);
        long pid = runtime.agent(vm, exec, AGENT_UP_WAIT).path("pid").asLong(-1);
        if (pid < 0) {
            throw new IOException("the guest agent gave no pid for the command");
        }
        long deadline = timeout == 0 ? Long.MAX_VALUE : System.nanoTime() + seconds(timeout, "--timeout").toNanos();
        long pause = 20;
        while (true) {
            ObjectNode query = JSON.createObjectNode().put("execute", "guest-exec-status");
            query.putObject("arguments").put("pid", pid);
            JsonNode status = runtime.agent(vm, query, AGENT_WAIT);
            if (status.path("exited").asBoolean(false)) {
                write(System.out, status.path("out-data"));
                write(System.err, status.path("err-data"));
                if (status.path("out-truncated").asBoolean(false) || status.path("err-truncated").asBoolean(false)) {
                    note("the command's output was cut short by the guest agent");
                }
                return status.has("signal") ? 128 + status.path("signal").asInt() : status.path("exitcode").asInt(0);
            }
            if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
                throw new IOException("the command did not end within " + timeout + " s (pid " + pid + " in the guest)");
            }
            Thread.sleep(pause);
            pause = Math.min(MAX_POLL_MS, pause * 2);
        }
    }

    private static void write(PrintStream to, JsonNode base64) throws IOException {
        if (base64.isTextual()) {
            try {
                to.write(Base64.getMimeDecoder().decode(base64.asText()));
            } catch (IllegalArgumentException e) {
                throw new IOException("the guest agent sent output that is not base64");
            }
            to.flush();
        }
    }
}
