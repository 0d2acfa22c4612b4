/**
 * bluegreen-core: traffic switching, health gates, release plans and the release engine, with no
 * Kubernetes dependency. {@code dev.bluegreen} is what host applications call,
 * {@code dev.bluegreen.event} the events they receive, {@code dev.bluegreen.spi} what adapters
 * implement, {@code dev.bluegreen.memory} a platform in memory for releases and tests without a cluster;
 * {@code dev.bluegreen.internal} is the implementation, open only to the project's own
 * adapter modules.
 */
// The qualified export names the adapter's automatic module, which javac does not see when
// compiling the core alone.
@SuppressWarnings("module")
module dev.bluegreen.core {
    requires org.slf4j;

    exports dev.bluegreen;
    exports dev.bluegreen.event;
    exports dev.bluegreen.spi;
    exports dev.bluegreen.memory;
    exports dev.bluegreen.internal to dev.bluegreen.fabric8;
}
