package dev.sluice.bench.scenario;

import dev.sluice.bench.report.ScenarioResult;

/** One load scenario of issue 7: Sluice and its peers under the same load, in the same run. */
public interface Scenario {

    /** The scenario's name in the results and on the command line. */
    String name();

    /** A one-line description. */
    String title();

    /** Runs the scenario against the context's servers. Blocking. */
    ScenarioResult run(ScenarioContext context) throws Exception;
}
