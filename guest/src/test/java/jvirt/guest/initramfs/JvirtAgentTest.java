package jvirt.guest.initramfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest agent run on the host under busybox: a directory of applet links to the host's busybox
 * is the whole PATH, so the script meets busybox's sh, awk, base64 and the rest, as in the guest.
 * Commands go in on stdin, one per line; replies are read from stdout, as bytes (guest-sync-delimited
 * begins with 0xFF).
 */
class JvirtAgentTest {
    private static final Pattern PID = Pattern.compile("\\{\"return\":\\{\"pid\":([0-9]+)}}");

    @TempDir
    static Path shared;
    private static Path applets;

    @TempDir
    Path dir;
    private final List<Process> agents = new ArrayList<>();

    @BeforeAll
    static void busyboxApplets() throws IOException, InterruptedException {
        Path busybox = Path.of("/usr/bin/busybox");
        if (!Files.isExecutable(busybox)) {
            busybox = Path.of("/bin/busybox");
        }
        if (!Files.isExecutable(busybox)) {
            fail("busybox is not installed (the guest agent tests run the agent under it); run scripts/setup");
        }
        Process list = new ProcessBuilder(busybox.toString(), "--list").redirectErrorStream(true).start();
        String names = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(list.waitFor()).as("busybox --list").isZero();
        applets = Files.createDirectory(shared.resolve("applets"));
        for (String name : names.lines().toList()) {
            Files.createSymbolicLink(applets.resolve(name), busybox);
        }
    }

    /** The links go before JUnit's cleanup, which warns about every link that leads out of its directory. */
    @AfterAll
    static void removeAppletLinks() throws IOException {
        try (Stream<Path> links = Files.list(applets)) {
            for (Path link : links.toList()) {
                Files.delete(link);
            }
        }
    }

    @AfterEach
    void stopAgents() throws InterruptedException {
        for (Process agent : agents) {
            agent.destroy();
            agent.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void syncEchoesTheIdAsSentAndSyncDelimitedPutsFFBeforeIt() throws IOException {
        Agent agent = start();

        // 2^53 + 1: a double would round it.
        assertThat(agent.ask("{\"execute\":\"guest-sync\",\"arguments\":{\"id\":9007199254740993}}"))
                .isEqualTo("{\"return\":9007199254740993}");
        assertThat(agent.ask("{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":-42}}"))
                .isEqualTo("\u00ff{\"return\":-42}");
    }

    @Test
    void aResyncByteDropsWhatCameBeforeIt() throws IOException {
        Agent agent = start();

        agent.sendBytes(bytes("{\"execute\":\"gue", 0xff, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":7}}\n"));
        agent.sendBytes(bytes("", 0xff, "{\"execute\":\"guest-ping\"}\r\n"));

        assertThat(agent.reply()).isEqualTo("{\"return\":7}");
        assertThat(agent.reply()).isEqualTo("{\"return\":{}}");
    }

    @Test
    void pingAnswersAnEmptyObjectAndEchoesAnId() throws IOException {
        Agent agent = start();

        assertThat(agent.ask("{\"execute\":\"guest-ping\"}")).isEqualTo("{\"return\":{}}");
        assertThat(agent.ask(" { \"id\" : {\"n\": [1, 2.5e3, true, null, \"x\\ny\"]}, \"execute\" : \"guest-ping\" } "))
                .isEqualTo("{\"return\":{},\"id\":{\"n\":[1,2.5e3,true,null,\"x\\ny\"]}}");
    }

    @Test
    void infoListsTheCommandsAndThatShutdownDoesNotAnswer() throws IOException {
        Agent agent = start();

        String info = agent.ask("{\"execute\":\"guest-info\"}");

        assertThat(info).startsWith("{\"return\":{\"version\":\"jvirt-agent 1\",\"supported_commands\":[").endsWith("]}}");
        for (String command : List.of("guest-sync", "guest-sync-delimited", "guest-ping", "guest-info", "guest-exec", "guest-exec-status")) {
            assertThat(info).contains("{\"name\":\"" + command + "\",\"enabled\":true,\"success-response\":true}");
        }
        assertThat(info).contains("{\"name\":\"guest-shutdown\",\"enabled\":true,\"success-response\":false}");
    }

    @Test
    void execCapturesStdoutStderrAndTheExitCode() throws IOException, InterruptedException {
        Agent agent = start();

        String status = agent.run("{\"path\":\"sh\",\"arg\":[\"-c\",\"echo out; echo err >&2; exit 3\"],\"capture-output\":true}");

        assertThat(status).isEqualTo("{\"return\":{\"exited\":true,\"exitcode\":3,\"out-data\":\"" + b64("out\n")
                + "\",\"err-data\":\"" + b64("err\n") + "\"}}");
    }

    @Test
    void argumentsArriveVerbatim() throws IOException, InterruptedException {
        Agent agent = start();
        List<String> hostile = List.of("it's", "a b", "\"quoted\"", "$HOME", "`id`", "$(id)", "new\nline", "back\\slash",
                "", "-n", "*", "tab\tend", "'", "''", ";", "|", "&", "<x", "é");
        StringBuilder args = new StringBuilder("[\"[%s]\"");
        for (String arg : hostile) {
            args.append(',').append(json(arg));
        }
        args.append(']');

        String status = agent.run("{\"path\":\"printf\",\"arg\":" + args + ",\"capture-output\":true}");

        StringBuilder expected = new StringBuilder();
        for (String arg : hostile) {
            expected.append('[').append(arg).append(']');
        }
        assertThat(outData(status)).isEqualTo(expected.toString());
    }

    @Test
    void envIsTheWholeEnvironment() throws IOException, InterruptedException {
        Agent agent = start();

        String status = agent.run("{\"path\":\"sh\",\"env\":[\"GREETING=hello world\",\"QUOTE=it's $x\"],"
                + "\"arg\":[\"-c\",\"echo \\\"$GREETING|$QUOTE|${JVIRT_AGENT_STATE-unset}\\\"\"],\"capture-output\":true}");

        assertThat(outData(status)).isEqualTo("hello world|it's $x|unset\n");
    }

    @Test
    void inputDataIsStdinByteForByte() throws IOException, InterruptedException {
        Agent agent = start();
        byte[] input = new byte[1000];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) (i * 7);
        }

        String status = agent.run("{\"path\":\"cat\",\"input-data\":\"" + Base64.getEncoder().encodeToString(input)
                + "\",\"capture-output\":true}");

        Matcher data = Pattern.compile("\"out-data\":\"([^\"]*)\"").matcher(status);
        assertThat(data.find()).as(status).isTrue();
        assertThat(Base64.getDecoder().decode(data.group(1))).isEqualTo(input);
    }

    @Test
    void statusSaysRunningThenExitedThenForgetsThePid() throws IOException, InterruptedException {
        Agent agent = start();
        Path go = dir.resolve("go");

        long pid = agent.exec("{\"path\":\"sh\",\"arg\":[\"-c\",\"while [ ! -e \\\"$0\\\" ]; do sleep 0.05; done\"," + json(go.toString()) + "]}");

        assertThat(agent.status(pid)).isEqualTo("{\"return\":{\"exited\":false}}");
        Files.createFile(go);
        // Without capture-output, no data.
        assertThat(agent.waitExited(pid)).isEqualTo("{\"return\":{\"exited\":true,\"exitcode\":0}}");
        assertThat(agent.status(pid)).isEqualTo("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Invalid parameter 'pid'\"}}");
        assertThat(agent.status(1)).isEqualTo("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Invalid parameter 'pid'\"}}");
    }

    @Test
    void aStatusOutlivesTheAgentThatStartedIt() throws IOException, InterruptedException {
        Agent first = start();
        long pid = first.exec("{\"path\":\"echo\",\"arg\":[\"still here\"],\"capture-output\":true}");
        first.close();

        assertThat(outData(start().waitExited(pid))).isEqualTo("still here\n");
    }

    @Test
    void aKilledProgramReportsItsSignalAndAMissingOneExits127() throws IOException, InterruptedException {
        Agent agent = start();

        assertThat(agent.run("{\"path\":\"sh\",\"arg\":[\"-c\",\"kill -9 $$\"]}"))
                .isEqualTo("{\"return\":{\"exited\":true,\"signal\":9}}");
        String missing = agent.run("{\"path\":\"no-such-program\",\"capture-output\":true}");
        assertThat(missing).startsWith("{\"return\":{\"exited\":true,\"exitcode\":127,");
        assertThat(errData(missing)).contains("no-such-program");
        assertThat(agent.run("{\"path\":\"/no/such/program\"}")).isEqualTo("{\"return\":{\"exited\":true,\"exitcode\":127}}");
    }

    @Test
    void outputBeyond16MiBIsCutAndSaysSo() throws IOException, InterruptedException {
        Agent agent = start();

        String status = agent.run("{\"path\":\"head\",\"arg\":[\"-c\",\"16777217\",\"/dev/zero\"],\"capture-output\":true}");

        assertThat(status).endsWith(",\"err-data\":\"\",\"out-truncated\":true}}");
        assertThat(Base64.getDecoder().decode(outData64(status))).hasSize(16 << 20);
    }

    @Test
    void unknownCommandsMalformedJsonAndBadArgumentsAreErrorsAndTheAgentGoesOn() throws IOException {
        Agent agent = start();

        assertThat(agent.ask("{\"execute\":\"guest-fly\"}"))
                .isEqualTo("{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command guest-fly has not been found\"}}");
        assertThat(agent.ask("{\"execute\":\"q\\\"\\u0001\"}"))
                .isEqualTo("{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command q\\\"\\u0001 has not been found\"}}");
        assertThat(agent.ask("{\"execute\":")).startsWith("{\"error\":{\"class\":\"GenericError\",\"desc\":\"JSON parse error, ");
        assertThat(agent.ask("{\"execute\":\"guest-ping\",}")).startsWith("{\"error\":{\"class\":\"GenericError\",\"desc\":\"JSON parse error, ");
        assertThat(agent.ask("{\"execute\":\"bad \\x escape\"}")).startsWith("{\"error\":{\"class\":\"GenericError\",\"desc\":\"JSON parse error, ");
        assertThat(agent.ask("[\"guest-ping\"]")).startsWith("{\"error\":{\"class\":\"GenericError\",");
        assertThat(agent.ask("{\"arguments\":{}}"))
                .isEqualTo("{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input lacks member 'execute'\"}}");
        assertThat(agent.ask("{\"execute\":\"guest-sync\"}"))
                .isEqualTo("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter 'id' is missing\"}}");
        assertThat(agent.ask("{\"execute\":\"guest-sync\",\"arguments\":{\"id\":\"1\"}}"))
                .isEqualTo("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Invalid parameter type for 'id', expected: integer\"}}");
        assertThat(agent.ask("{\"execute\":\"guest-exec\",\"arguments\":{\"arg\":[]}}"))
                .isEqualTo("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter 'path' is missing\"}}");
        assertThat(agent.ask("{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"true\",\"arg\":[1]}}"))
                .isEqualTo("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Invalid parameter type for 'arg[0]', expected: string\"}}");
        assertThat(agent.ask("{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":1.5}}"))
                .isEqualTo("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Invalid parameter type for 'pid', expected: integer\"}}");
        assertThat(agent.ask("{\"execute\":\"guest-ping\"}")).isEqualTo("{\"return\":{}}");
    }

    @Test
    void stringEscapesDecodeIncludingUnicodeToUtf8() throws IOException, InterruptedException {
        Agent agent = start();

        String status = agent.run("{\"path\":\"printf\",\"arg\":[\"%s\",\"\\u00e9\\u4E2D\\ud83d\\ude00 \\\"\\\\\\/\\b\\f\\n\\r\\t\"],\"capture-output\":true}");

        assertThat(outData(status)).isEqualTo("é中😀 \"\\/\b\f\n\r\t");
    }

    @Test
    void shutdownDoesNotAnswerAndRunsThePowerCommandForItsMode() throws IOException {
        Agent agent = start();

        agent.send("{\"execute\":\"guest-shutdown\"}");
        agent.send("{\"execute\":\"guest-shutdown\",\"arguments\":{\"mode\":\"reboot\"}}");
        agent.send("{\"execute\":\"guest-shutdown\",\"arguments\":{\"mode\":\"halt\"}}");
        agent.send("{\"execute\":\"guest-shutdown\",\"arguments\":{\"mode\":\"sleep\"}}");

        // JVIRT_AGENT_POWER=echo shows the command instead of running it.
        assertThat(agent.reply()).isEqualTo("poweroff -f");
        assertThat(agent.reply()).isEqualTo("reboot -f");
        assertThat(agent.reply()).isEqualTo("halt -f");
        assertThat(agent.reply())
                .isEqualTo("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter 'mode' expects halt|powerdown|reboot\"}}");
    }

    @Test
    void initAndTheAgentAreValidBusyboxSh() throws IOException, InterruptedException {
        Path init = Files.writeString(dir.resolve("init"), BusyboxInitramfs.initScript(List.of("virtio_console")));
        Path script = Files.write(dir.resolve("jvirt-agent"), BusyboxInitramfs.agent());

        for (Path file : List.of(init, script)) {
            Process check = new ProcessBuilder(applets.resolve("sh").toString(), "-n", file.toString()).redirectErrorStream(true).start();
            String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor()).as(file + ": " + out).isZero();
        }
    }

    /**
     * /init's agent starter, with sysfs and /dev moved into a temporary directory: it waits for the
     * port's name to appear, says where the agent is once, and starts the agent again when it ends.
     */
    @Test
    void initFindsThePortByNameOnceItIsNamedAndRestartsTheAgent() throws IOException, InterruptedException {
        Path ports = Files.createDirectories(dir.resolve("sysfs-virtio-ports"));
        Path dev = Files.createDirectories(dir.resolve("devices"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path log = dir.resolve("agent.log");
        Files.createDirectories(ports.resolve("vport0p2"));
        Files.writeString(ports.resolve("vport0p2/name"), "org.example.other\n");
        Files.createDirectories(ports.resolve("vport0p1"));
        Files.writeString(dev.resolve("vport0p1"), "");
        Path agent = Files.writeString(bin.resolve("jvirt-agent"), "#!/bin/sh\necho started >>" + log + "\n");
        agent.toFile().setExecutable(true);
        Process starter = starter(ports, dev, bin);
        try {
            Thread.sleep(300);
            // Linux names a port a little after it appears.
            Files.writeString(ports.resolve("vport0p1/name"), "org.qemu.guest_agent.0\n");
            BufferedReader out = new BufferedReader(new InputStreamReader(starter.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo(BusyboxInitramfs.AGENT_MARKER + dev.resolve("vport0p1"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while ((!Files.exists(log) || Files.readAllLines(log).size() < 2) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(Files.readAllLines(log)).as("the agent started again after it ended").hasSizeGreaterThanOrEqualTo(2);
        } finally {
            starter.descendants().forEach(ProcessHandle::destroy);
            starter.destroy();
        }
    }

    @Test
    void initStartsNoAgentAndSaysNothingWithoutThePort() throws IOException, InterruptedException {
        Path ports = Files.createDirectories(dir.resolve("sysfs-virtio-ports"));
        Files.createDirectories(ports.resolve("vport0p1"));
        Files.writeString(ports.resolve("vport0p1/name"), "org.example.other\n");

        Process starter = starter(ports, Files.createDirectories(dir.resolve("devices")), Files.createDirectories(dir.resolve("bin")));

        assertThat(starter.waitFor(15, TimeUnit.SECONDS)).as("gives up after about 5 s").isTrue();
        assertThat(new String(starter.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
    }

    /** Runs the part of /init that starts the agent, with its paths moved, and waits for it. */
    private Process starter(Path ports, Path dev, Path bin) throws IOException {
        List<String> init = BusyboxInitramfs.initScript(List.of()).lines().toList();
        String starter = String.join("\n", init.subList(init.indexOf("jvirt_agent() {"), init.indexOf("jvirt_agent </dev/null &") + 1))
                .replace("/sys/class/virtio-ports/", ports + "/")
                .replace("port=/dev/", "port=" + dev + "/");
        assertThat(starter).doesNotContain(" /sys/", "=/dev/");
        ProcessBuilder builder = new ProcessBuilder(applets.resolve("sh").toString(), "-c", starter + "\nwait\n")
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().clear();
        builder.environment().put("PATH", bin + ":" + applets);
        return builder.start();
    }

    private Agent start() throws IOException {
        Path script = dir.resolve("jvirt-agent");
        if (!Files.exists(script)) {
            Files.write(script, BusyboxInitramfs.agent());
        }
        ProcessBuilder builder = new ProcessBuilder(applets.resolve("sh").toString(), script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", applets.toString());
        env.put("JVIRT_AGENT_STATE", dir.resolve("state").toString());
        env.put("JVIRT_AGENT_POWER", "echo");
        Process process = builder.start();
        agents.add(process);
        return new Agent(process);
    }

    private static String outData(String status) {
        return new String(Base64.getDecoder().decode(outData64(status)), StandardCharsets.UTF_8);
    }

    private static String outData64(String status) {
        return field(status, "out-data");
    }

    private static String errData(String status) {
        return new String(Base64.getDecoder().decode(field(status, "err-data")), StandardCharsets.UTF_8);
    }

    private static String field(String status, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(status);
        assertThat(m.find()).as(name + " in " + status.substring(0, Math.min(200, status.length()))).isTrue();
        return m.group(1);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** s as a JSON string, escaping only what JSON requires (and \n, \t, as a client would). */
    private static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static byte[] bytes(String before, int b, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        out.write(b);
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** One agent process: lines to its stdin, its stdout's lines (bytes as ISO-8859-1, UTF-8 decoded where valid) back. */
    private static final class Agent implements AutoCloseable {
        private static final Duration TIMEOUT = Duration.ofSeconds(20);
        private final Process process;
        private final OutputStream in;
        private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

        Agent(Process process) {
            this.process = process;
            this.in = process.getOutputStream();
            Thread reader = new Thread(() -> read(process.getInputStream()), "agent stdout");
            reader.setDaemon(true);
            reader.start();
        }

        private void read(InputStream stdout) {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.ISO_8859_1))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    replies.add(line);
                }
            } catch (IOException e) {
                replies.add("read failed: " + e);
            }
        }

        void send(String line) throws IOException {
            sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
        }

        void sendBytes(byte[] bytes) throws IOException {
            in.write(bytes);
            in.flush();
        }

        /** The next line, its leading 0xFF (if any) kept as U+00FF and the rest decoded as UTF-8. */
        String reply() {
            String line;
            try {
                line = replies.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            assertThat(line).as("a reply within " + TIMEOUT).isNotNull();
            String prefix = line.startsWith("\u00ff") ? "\u00ff" : "";
            return prefix + new String(line.substring(prefix.length()).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        }

        String ask(String line) throws IOException {
            send(line);
            return reply();
        }

        long exec(String arguments) throws IOException {
            String reply = ask("{\"execute\":\"guest-exec\",\"arguments\":" + arguments + "}");
            Matcher pid = PID.matcher(reply);
            assertThat(pid.matches()).as(reply).isTrue();
            return Long.parseLong(pid.group(1));
        }

        String status(long pid) throws IOException {
            return ask("{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":" + pid + "}}");
        }

        String waitExited(long pid) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                String status = status(pid);
                if (!status.equals("{\"return\":{\"exited\":false}}") || System.nanoTime() > deadline) {
                    return status;
                }
                Thread.sleep(20);
            }
        }

        /** Runs a guest-exec to its end and returns its last status. */
        String run(String arguments) throws IOException, InterruptedException {
            return waitExited(exec(arguments));
        }

        @Override
        public void close() throws IOException {
            in.close();
            try {
                assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("the agent ends at EOF").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            assertThat(process.exitValue()).isZero();
        }
    }
}
