package jvirt.cloudinit;

import java.util.List;

/** A seed that must not boot: every problem found, each a line for the user. */
public final class InvalidSeedException extends IllegalArgumentException {
    private final List<Problem> problems;

    public InvalidSeedException(List<Problem> problems) {
        super(problems.getFirst() + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
