package dev.sluice.bench.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one scenario: every system's numbers, the ratios of Sluice to each peer, and the brief's goals
 * beside them.
 *
 * @param name     the scenario's name: {@code pool-round-trip}, {@code callers-10k}, {@code kv} or {@code health-overhead}
 * @param title    a one-line description for the report
 * @param settings what was run (callers, pool size, durations, rounds), by name, in display order
 * @param systems  Sluice first, then its peers
 * @param ratios   {@code sluice/<peer>} (throughput of Sluice divided by the peer's), for every measured peer
 * @param goals    the goals of the brief and whether this run met them
 * @param sweep    the caller sweep (pool round trip only; empty elsewhere)
 * @param notes    observations worth a sentence in the report (what happened to a peer that could not run, say)
 */
public record ScenarioResult(String name, String title, Map<String, Object> settings, List<SystemResult> systems,
                             Map<String, Double> ratios, List<GoalCheck> goals, List<SweepPoint> sweep, List<String> notes) {

    public ScenarioResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(title, "title");
        settings = settings == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        systems = List.copyOf(systems);
        ratios = ratios == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(ratios));
        goals = goals == null ? List.of() : List.copyOf(goals);
        sweep = sweep == null ? List.of() : List.copyOf(sweep);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /** The system with this name, if the scenario has it. */
    public Optional<SystemResult> system(String systemName) {
        return systems.stream().filter(s -> s.name().equals(systemName)).findFirst();
    }
}
