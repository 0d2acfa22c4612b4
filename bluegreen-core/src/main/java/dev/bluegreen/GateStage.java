package dev.bluegreen;

/** When a gate runs in a release. */
public enum GateStage {
    /** Before the switch, against the idle color (smoke tests); a failure aborts the release. */
    PRE_SWITCH,
    /** After the switch, observing the new live color; a failure rolls the release back. */
    POST_SWITCH
}
