package dev.bluegreen.internal;

/**
 * What a step's work reports.
 *
 * @param detail  what it did, one sentence
 * @param skipped whether it had nothing to do
 */
record Done(String detail, boolean skipped) {

    static Done of(String detail) {
        return new Done(detail, false);
    }

    static Done skipped(String why) {
        return new Done(why, true);
    }
}
