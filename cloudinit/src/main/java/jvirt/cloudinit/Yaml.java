package jvirt.cloudinit;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * YAML read into a tree that keeps where each node is, for problems with line and column. Hostile
 * input is bounded: nesting depth, document size, and what aliases expand to (a "billion laughs"
 * document is a few lines whose aliases expand to billions of nodes).
 */
final class Yaml {
    static final int MAX_DEPTH = 64;
    static final long MAX_EXPANDED_NODES = 1_000_000;
    /** YAML 1.1 booleans that cloud-init's PyYAML reads as true or false and Jackson as strings. */
    static final Set<String> YAML11_BOOLEANS = Set.of("yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF");

    private static final YAMLFactory FACTORY = factory();

    private Yaml() {}

    record Location(int line, int column) {}

    sealed interface Node permits Scalar, Sequence, Mapping {
        Location at();

        /** What the node is, for messages: "a string", "a list" … */
        String kind();
    }

    /** A string, Boolean, Number or null. */
    record Scalar(Object value, Location at) implements Node {
        @Override
        public String kind() {
            return switch (value) {
                case null -> "null";
                case String _ -> "a string";
                case Boolean _ -> "a boolean";
                default -> "a number";
            };
        }
    }

    record Sequence(List<Node> items, Location at) implements Node {
        @Override
        public String kind() {
            return "a list";
        }
    }

    record Member(String key, Location at, Node value) {}

    record Mapping(List<Member> members, Location at) implements Node {
        @Override
        public String kind() {
            return "a mapping";
        }
    }

    /** The document's root (null for an empty document), or the problems that stopped reading it. */
    record Result(Node root, List<Problem> problems) {}

    private static YAMLFactory factory() {
        LoaderOptions options = new LoaderOptions();
        // SnakeYAML counts characters; the files are bounded in bytes before they get here.
        options.setCodePointLimit(NoCloudSeed.MAX_FILE_SIZE);
        options.setNestingDepthLimit(MAX_DEPTH + 1);
        options.setMaxAliasesForCollections(50);
        return YAMLFactory.builder().loaderOptions(options)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 1).build())
                .build();
    }

    /** Reads one YAML document from UTF-8 {@code bytes}. */
    static Result read(String source, byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new Result(null, List.of(Problem.of(source, "not UTF-8 text")));
        }
        List<Problem> problems = new ArrayList<>();
        try (YAMLParser parser = (YAMLParser) FACTORY.createParser(new StringReader(text))) {
            Builder builder = new Builder(source, parser, problems);
            JsonToken first = parser.nextToken();
            Node root = first == null ? null : builder.node(first, 1);
            if (problems.isEmpty() && parser.nextToken() != null) {
                problems.add(builder.problem(parser.currentTokenLocation(), "a second YAML document; cloud-init reads one"));
            }
            if (problems.isEmpty() && root != null && expandedSize(root, new IdentityHashMap<>()) > MAX_EXPANDED_NODES) {
                problems.add(Problem.of(source, "aliases expand to more than " + MAX_EXPANDED_NODES + " nodes"));
            }
            return new Result(problems.isEmpty() ? root : null, problems);
        } catch (JsonProcessingException e) {
            problems.add(syntaxProblem(source, text, e));
            return new Result(null, problems);
        } catch (IOException e) {
            throw new IllegalStateException("reading YAML from memory", e);
        }
    }

    /** A YAML syntax error as SnakeYAML states it, without the excerpt and caret it adds on more lines. */
    private static Problem syntaxProblem(String source, String text, JsonProcessingException e) {
        // SnakeYAML's reader refuses control characters with a position in code points, not a mark.
        if (e.getCause() instanceof ReaderException r) {
            int offset = text.offsetByCodePoints(0, Math.min(r.getPosition(), text.codePointCount(0, text.length())));
            String before = text.substring(0, offset);
            int line = (int) before.chars().filter(c -> c == '\n').count() + 1;
            int column = before.codePointCount(before.lastIndexOf('\n') + 1, before.length()) + 1;
            return new Problem(source, line, column, String.format("character U+%04X is not allowed in YAML", r.getCodePoint()));
        }
        if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
            String context = m.getContext() == null ? "" : m.getContext() + ": ";
            return new Problem(source, m.getProblemMark().getLine() + 1, m.getProblemMark().getColumn() + 1,
                    (context + m.getProblem()).lines().findFirst().orElse("invalid YAML"));
        }
        JsonLocation at = e.getLocation();
        String message = e.getOriginalMessage().lines().findFirst().orElse("invalid YAML");
        return at == null || at.getLineNr() < 1 ? Problem.of(source, message)
                : new Problem(source, at.getLineNr(), at.getColumnNr(), message);
    }

    /** Nodes counted as if every alias were a copy; shared nodes are counted once each time, memoized. */
    private static long expandedSize(Node node, Map<Node, Long> memo) {
        Long known = memo.get(node);
        if (known != null) {
            return known;
        }
        long size = 1;
        List<Node> children = switch (node) {
            case Scalar _ -> List.of();
            case Sequence s -> s.items();
            case Mapping m -> m.members().stream().map(Member::value).toList();
        };
        for (Node child : children) {
            size = Math.min(Long.MAX_VALUE / 2, size + expandedSize(child, memo));
        }
        memo.put(node, size);
        return size;
    }

    private static final class Builder {
        private final String source;
        private final YAMLParser parser;
        private final List<Problem> problems;
        private final Map<String, Node> anchors = new HashMap<>();

        Builder(String source, YAMLParser parser, List<Problem> problems) {
            this.source = source;
            this.parser = parser;
            this.problems = problems;
        }

        Problem problem(JsonLocation at, String message) {
            return new Problem(source, at.getLineNr(), at.getColumnNr(), message);
        }

        /** The node that starts at {@code token}; null after a problem, which ends the reading. */
        Node node(JsonToken token, int depth) throws IOException {
            JsonLocation start = parser.currentTokenLocation();
            Location at = new Location(start.getLineNr(), start.getColumnNr());
            if (depth > MAX_DEPTH) {
                problems.add(problem(start, "nested more than " + MAX_DEPTH + " levels deep"));
                return null;
            }
            if (parser.isCurrentAlias()) {
                Node target = anchors.get(parser.getText());
                if (target == null) {
                    problems.add(problem(start, "alias *" + parser.getText() + " refers to no anchor before it"));
                }
                return target;
            }
            String anchor = parser.getCurrentAnchor();
            Node node = switch (token) {
                case START_OBJECT -> mapping(at, depth);
                case START_ARRAY -> sequence(at, depth);
                case VALUE_STRING -> new Scalar(parser.getText(), at);
                case VALUE_TRUE, VALUE_FALSE -> new Scalar(parser.getBooleanValue(), at);
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new Scalar(parser.getNumberValue(), at);
                case VALUE_NULL -> new Scalar(null, at);
                default -> {
                    problems.add(problem(start, "unexpected " + token));
                    yield null;
                }
            };
            if (node != null && anchor != null) {
                anchors.put(anchor, node);
            }
            return node;
        }

        private Mapping mapping(Location at, int depth) throws IOException {
            List<Member> members = new ArrayList<>();
            Map<String, Location> seen = new HashMap<>();
            for (JsonToken t = parser.nextToken(); t == JsonToken.FIELD_NAME; t = parser.nextToken()) {
                JsonLocation keyAt = parser.currentTokenLocation();
                String key = parser.currentName();
                Location first = seen.putIfAbsent(key, new Location(keyAt.getLineNr(), keyAt.getColumnNr()));
                if (first != null) {
                    problems.add(problem(keyAt, "duplicate key '" + key + "' (first at line " + first.line() + ")"));
                    return null;
                }
                Node value = node(parser.nextToken(), depth + 1);
                if (value == null) {
                    return null;
                }
                members.add(new Member(key, new Location(keyAt.getLineNr(), keyAt.getColumnNr()), value));
            }
            return new Mapping(members, at);
        }

        private Sequence sequence(Location at, int depth) throws IOException {
            List<Node> items = new ArrayList<>();
            for (JsonToken t = parser.nextToken(); t != null && t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                Node item = node(t, depth + 1);
                if (item == null) {
                    return null;
                }
                items.add(item);
            }
            return new Sequence(items, at);
        }
    }
}
