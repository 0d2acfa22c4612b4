package dev.bluegreen;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReleasePlanBuilderTest {
    private final FakePlatform platform = new FakePlatform();

    private static String messageOf(Runnable action) {
        return assertThrows(ConfigurationException.class, action::run).getMessage();
    }

    @Test
    void rejectsAnAppNameThatIsNotADnsLabel() {
        assertEquals("app must be a lowercase DNS label (1-63 characters of a-z, 0-9 and '-', starting and ending "
                + "with a letter or digit), but was 'My_App'", messageOf(() -> ReleasePlan.builder().app("My_App")));
    }

    @Test
    void rejectsABlankOrPaddedVersion() {
        assertEquals("version must not be blank, but was ' '", messageOf(() -> ReleasePlan.builder().version(" ")));
        assertEquals("version must not start or end with whitespace, but was 'app:v2 '",
                messageOf(() -> ReleasePlan.builder().version("app:v2 ")));
    }

    @Test
    void rejectsZeroReplicas() {
        assertEquals("replicas must be at least 1, but was 0", messageOf(() -> ReleasePlan.builder().replicas(0)));
    }

    @Test
    void rejectsANonPositiveStepTimeout() {
        assertEquals("timeout of step 'await-ready' must be a positive duration, but was PT0S",
                messageOf(() -> ReleasePlan.builder().timeout(StandardStep.AWAIT_READY, Duration.ZERO)));
    }

    @Test
    void namesTheMissingRequiredSetting() {
        assertEquals("version is required but was not set", messageOf(() -> ReleasePlan.builder().app("app").build()));
        assertEquals("traffic switcher is required but was not set",
                messageOf(() -> ReleasePlan.builder().app("app").version("v2").build()));
        assertEquals("color environments is required but was not set",
                messageOf(() -> ReleasePlan.builder().app("app").version("v2").switcher(platform.switcher()).build()));
    }

    @Test
    void refusesACustomStepBeforePreflight() {
        CustomStep step = CustomStep.of("migrate", ctx -> { });
        assertEquals("custom step 'migrate' cannot run before preflight: nothing may change before everything was "
                + "checked; place it after preflight instead",
                messageOf(() -> platform.plan().stepBefore(StandardStep.PREFLIGHT, step)));
    }

    @Test
    void refusesDuplicateStepNamesAndStandardStepNames() {
        assertEquals("release of app: step name 'migrate' is used twice or is a standard step's name; expected unique "
                + "custom step names", messageOf(() -> platform.plan()
                        .stepAfter(StandardStep.DEPLOY, CustomStep.of("migrate", ctx -> { }))
                        .stepBefore(StandardStep.SWITCH, CustomStep.of("migrate", ctx -> { })).build()));
        assertEquals("release of app: step name 'deploy' is used twice or is a standard step's name; expected unique "
                + "custom step names", messageOf(() -> platform.plan()
                        .stepAfter(StandardStep.DEPLOY, CustomStep.of("deploy", ctx -> { })).build()));
    }

    @Test
    void refusesTwoGatesOfTheSameNameInOneStage() {
        HealthGate gate = HealthGate.named("smoke", ctx -> GateResult.passed("ok"));
        assertEquals("release of app: two pre-switch gates are named 'smoke'; name them apart with "
                + "HealthGate.named(name, gate)", messageOf(() -> platform.plan().preSwitchGate(gate).preSwitchGate(gate).build()));
    }

    @Test
    void refusesAnObservationWindowLongerThanTheObserveTimeout() {
        HealthGate window = HealthGate.observe(HealthGate.named("errors", ctx -> GateResult.passed("ok")))
                .every(Duration.ofMinutes(1)).lasting(Duration.ofMinutes(20)).build();
        assertEquals("release of app: post-switch window 'window(errors)' lasts PT20M but the observe timeout is PT10M; "
                + "raise the timeout or shorten the window", messageOf(() -> platform.plan().postSwitchGate(window)
                        .timeout(StandardStep.OBSERVE, Duration.ofMinutes(10)).build()));
    }

    @Test
    void refusesPreSwitchWindowsThatTogetherOutlastTheirTimeout() {
        HealthGate first = HealthGate.observe(HealthGate.named("a", ctx -> GateResult.passed("ok")))
                .lasting(Duration.ofMinutes(6)).build();
        HealthGate second = HealthGate.observe(HealthGate.named("b", ctx -> GateResult.passed("ok")))
                .lasting(Duration.ofMinutes(6)).build();
        assertEquals("release of app: the pre-switch observation windows last PT12M in total but the pre-switch-gates "
                + "timeout is PT10M; raise the timeout or shorten the windows",
                messageOf(() -> platform.plan().preSwitchGate(first).preSwitchGate(second).build()));
    }

    @Test
    void listsTheFlowWithCustomStepsAndThePhaseEachRunsIn() {
        ReleasePlan plan = platform.plan()
                .stepAfter(StandardStep.PREFLIGHT, CustomStep.of("lock", ctx -> { }))
                .stepBefore(StandardStep.SWITCH, CustomStep.of("migrate", ctx -> { }))
                .stepAfter(StandardStep.SWITCH, CustomStep.of("flag-on", ctx -> { }))
                .stepAfter(StandardStep.OBSERVE, CustomStep.of("announce", ctx -> { }))
                .build();

        assertEquals(List.of("preflight:PREPARING", "lock:PREPARING", "deploy:PREPARING", "await-ready:PREPARING",
                "pre-switch-gates:PREPARING", "migrate:PREPARING", "switch:SWITCHING", "flag-on:OBSERVING",
                "observe:OBSERVING", "announce:FINISHING", "retire-previous:FINISHING", "clean-up:FINISHING"),
                plan.steps().stream().map(s -> s.name() + ":" + s.phase()).collect(Collectors.toList()));
    }

    @Test
    void usesDefaultTimeoutsUnlessTheyAreSet() {
        ReleasePlan plan = platform.plan().timeout(StandardStep.AWAIT_READY, Duration.ofMinutes(9)).build();
        assertEquals(Duration.ofMinutes(9), plan.timeout(StandardStep.AWAIT_READY));
        assertEquals(StandardStep.SWITCH.defaultTimeout(), plan.timeout(StandardStep.SWITCH));
        assertEquals(Duration.ofSeconds(30), plan.steps().get(0).timeout());
    }

    @Test
    void reusingABuilderNeverChangesAPlanAlreadyBuilt() {
        ReleasePlan.Builder builder = platform.plan();
        ReleasePlan first = builder.build();
        builder.version("app:v3").preSwitchGate(HealthGate.named("smoke", ctx -> GateResult.passed("ok")));

        assertEquals("app:v2", first.version());
        assertEquals(List.of(), first.preSwitchGates());
        ReleasePlan derived = first.toBuilder().version("app:v4").build();
        assertEquals("app:v4", derived.version());
        assertEquals("app:v2", first.version());
    }

    @Test
    void customStepBuildersValidateTheirSettings() {
        assertEquals("custom step name must be a lowercase DNS label (1-63 characters of a-z, 0-9 and '-', starting "
                + "and ending with a letter or digit), but was 'Run Migration'", messageOf(() -> CustomStep.named("Run Migration")));
        assertEquals("action of step 'migrate' is required but was not set", messageOf(() -> CustomStep.named("migrate").build()));
        assertEquals("timeout of step 'migrate' must be a positive duration, but was PT-1S",
                messageOf(() -> CustomStep.named("migrate").timeout(Duration.ofSeconds(-1))));
    }

    @Test
    void retentionRejectsNegativePeriods() {
        assertEquals("retention period must be zero or a positive duration, but was PT-1M",
                messageOf(() -> Retention.scaleDownAfter(Duration.ofMinutes(-1))));
    }
}
