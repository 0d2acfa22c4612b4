package dev.bluegreen.fabric8.internal;

import dev.bluegreen.AppId;
import dev.bluegreen.BlueGreenException;
import dev.bluegreen.Color;
import dev.bluegreen.ConfigurationException;
import dev.bluegreen.LockLostException;
import dev.bluegreen.Outcome;
import dev.bluegreen.Phase;
import dev.bluegreen.ReleaseLockedException;
import dev.bluegreen.ReleaseRecord;
import dev.bluegreen.ReleaseStatus;
import dev.bluegreen.TimeSource;
import dev.bluegreen.fabric8.BlueGreenConventions;
import dev.bluegreen.fabric8.KubernetesOptions;
import dev.bluegreen.internal.Checks;
import dev.bluegreen.spi.Deadline;
import dev.bluegreen.spi.LockHandle;
import dev.bluegreen.spi.LockState;
import dev.bluegreen.spi.LockTiming;
import dev.bluegreen.spi.ReleaseStore;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The release lock and record of one app on a coordination.k8s.io/v1 Lease, as client-go's leader
 * election keeps a leader: the holder in {@code spec.holderIdentity}, renewed by compare-and-swap
 * on the Lease's resourceVersion, taken over only once {@code renewTime + leaseDurationSeconds}
 * has passed, given up by clearing the holder. The record is a JSON annotation
 * ({@value #RECORD_ANNOTATION}) written in the same conditioned writes, so only the holder writes it.
 */
public final class LeaseStore implements ReleaseStore {
    /** The annotation holding the release record as JSON. */
    public static final String RECORD_ANNOTATION = "bluegreen.dev/release-record";
    private static final Logger LOG = LoggerFactory.getLogger(LeaseStore.class);
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");
    /** How often a write is re-decided after a conflict (someone else annotated the Lease, say). */
    private static final int ATTEMPTS = 4;

    private final KubernetesClient client;
    private final BlueGreenConventions conventions;
    private final KubeCalls calls;
    private final LockTiming timing;
    private final TimeSource time;
    /** The Lease as last read or written; empty optional once read as missing, null before any read. */
    private final AtomicReference<Optional<Lease>> lastSeen = new AtomicReference<>();

    LeaseStore(KubernetesClient client, BlueGreenConventions conventions, KubernetesOptions options, KubeCalls calls) {
        this.client = client;
        this.conventions = conventions;
        this.calls = calls;
        this.timing = options.lockTiming();
        this.time = options.time();
    }

    private String object() {
        return "Lease " + conventions.namespace() + "/" + conventions.leaseName();
    }

    private Resource<Lease> lease() {
        return client.leases().resource(new LeaseBuilder().withNewMetadata().withName(conventions.leaseName())
                .withNamespace(conventions.namespace()).endMetadata().build());
    }

    private Lease get(Deadline deadline) {
        Lease lease = calls.read("read of " + object(), deadline, () -> client.leases()
                .inNamespace(conventions.namespace()).withName(conventions.leaseName()).get());
        lastSeen.set(Optional.ofNullable(lease));
        return lease;
    }

    private void requireApp(AppId app) {
        if (!conventions.appId().equals(app)) {
            throw new ConfigurationException("the release store on " + object() + " keeps the record of "
                    + conventions.appId() + ", not of " + app);
        }
    }

    @Override
    public ReleaseStatus read(AppId app, Deadline deadline) {
        requireApp(app);
        Lease lease = get(deadline);
        return new ReleaseStatus(app, record(lease), lockState(lease), time.now());
    }

    @Override
    public LockHandle acquire(AppId app, String holder, ReleaseRecord firstRecord, Deadline deadline) {
        requireApp(app);
        Checks.nonBlank("holder", holder);
        Optional<Lease> known = lastSeen.get();
        Lease current = known != null ? known.orElse(null) : get(deadline);
        for (int attempt = 1; ; attempt++) {
            Instant now = time.now();
            try {
                if (current == null) {
                    // Not through KubeCalls.write: a 409 (another release created it first) or a lost answer
                    // must reach the catch below, which re-reads and decides.
                    Lease created = client.leases().resource(newLease(holder, firstRecord, now)).create();
                    lastSeen.set(Optional.of(created));
                    LOG.info("{} created, held by {}", object(), holder);
                    return new Handle(holder, now, created);
                }
                Optional<LockState> state = lockState(current);
                if (state.isPresent() && state.get().heldAt(now)) {
                    throw locked(state.get(), current);
                }
                int transitions = current.getSpec() == null || current.getSpec().getLeaseTransitions() == null ? 0
                        : current.getSpec().getLeaseTransitions();
                Map<String, Object> spec = new LinkedHashMap<>();
                spec.put("holderIdentity", holder);
                spec.put("leaseDurationSeconds", seconds(timing.leaseDuration()));
                spec.put("acquireTime", microTime(now));
                spec.put("renewTime", microTime(now));
                spec.put("leaseTransitions", transitions + 1);
                Lease taken = patch(current, spec, firstRecord);
                LOG.info("{} taken by {}{}", object(), holder, state.map(s -> " (before: " + s + ")").orElse(""));
                return new Handle(holder, now, taken);
            } catch (KubernetesClientException e) {
                if ((e.getCode() != KubeCalls.CONFLICT && !KubeCalls.outcomeUnknown(e)) || attempt >= ATTEMPTS) {
                    throw KubeCalls.apiError("taking the release lock on " + object(), object(), e);
                }
                deadline.noteFailure(KubeCalls.apiError("taking the release lock on " + object(), object(), e));
                current = get(deadline);
                Optional<LockState> state = lockState(current);
                if (state.isPresent() && state.get().holder().equals(holder) && !state.get().released()) {
                    // Our own write was applied but its answer was lost.
                    return new Handle(holder, now, current);
                }
            }
        }
    }

    private ReleaseLockedException locked(LockState state, Lease lease) {
        String record = record(lease).map(r -> "; its record: " + r).orElse("");
        return new ReleaseLockedException(conventions.appId(), state.holder(), state.acquiredAt(), "another release of "
                + conventions.appId() + " is running: " + object() + " is held by " + state.holder() + " since "
                + state.acquiredAt() + " (renewed " + state.renewedAt() + ", valid until " + state.expiresAt() + ")"
                + record + "; nothing was changed");
    }

    private Lease newLease(String holder, ReleaseRecord record, Instant now) {
        return new LeaseBuilder()
                .withNewMetadata().withName(conventions.leaseName()).withNamespace(conventions.namespace())
                .addToLabels("app.kubernetes.io/name", conventions.app())
                .addToLabels("app.kubernetes.io/managed-by", "bluegreen")
                .addToAnnotations(RECORD_ANNOTATION, encode(record)).endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(seconds(timing.leaseDuration()))
                .withAcquireTime(ZonedDateTime.ofInstant(now, ZoneOffset.UTC))
                .withRenewTime(ZonedDateTime.ofInstant(now, ZoneOffset.UTC)).withLeaseTransitions(0).endSpec()
                .build();
    }

    /** One merge patch conditioned on the Lease's resourceVersion; remembers the answer. */
    private Lease patch(Lease current, Map<String, Object> spec, ReleaseRecord record) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("resourceVersion", current.getMetadata().getResourceVersion());
        if (record != null) {
            metadata.put("annotations", Map.of(RECORD_ANNOTATION, encode(record)));
        }
        String body = Serialization.asJson(Map.of("metadata", metadata, "spec", spec));
        Lease written = lease().patch(PatchContext.of(PatchType.JSON_MERGE), body);
        lastSeen.set(Optional.of(written));
        return written;
    }

    private Optional<LockState> lockState(Lease lease) {
        if (lease == null || lease.getSpec() == null) {
            return Optional.empty();
        }
        String holder = lease.getSpec().getHolderIdentity();
        Instant acquired = instant(lease.getSpec().getAcquireTime());
        Instant renewed = instant(lease.getSpec().getRenewTime());
        Integer duration = lease.getSpec().getLeaseDurationSeconds();
        if (holder == null || holder.isEmpty()) {
            String last = record(lease).map(ReleaseRecord::holder).orElse("nobody");
            return Optional.of(new LockState(last, acquired == null ? Instant.EPOCH : acquired,
                    renewed == null ? Instant.EPOCH : renewed, Duration.ofSeconds(duration == null ? 0 : duration), true));
        }
        return Optional.of(new LockState(holder, acquired == null ? Instant.EPOCH : acquired,
                renewed == null ? Instant.EPOCH : renewed, Duration.ofSeconds(duration == null ? 0 : duration), false));
    }

    private Optional<ReleaseRecord> record(Lease lease) {
        if (lease == null || lease.getMetadata().getAnnotations() == null) {
            return Optional.empty();
        }
        String json = lease.getMetadata().getAnnotations().get(RECORD_ANNOTATION);
        return json == null ? Optional.empty() : Optional.of(decode(json));
    }

    @Override
    public String toString() {
        return "LeaseStore[" + object() + ", " + timing + "]";
    }

    /** The lock as held by this process. */
    private final class Handle implements LockHandle {
        private final String holder;
        private final Instant acquiredAt;
        private Lease lease;

        Handle(String holder, Instant acquiredAt, Lease lease) {
            this.holder = holder;
            this.acquiredAt = acquiredAt;
            this.lease = lease;
        }

        @Override
        public String holder() {
            return holder;
        }

        @Override
        public Instant acquiredAt() {
            return acquiredAt;
        }

        @Override
        public LockTiming timing() {
            return timing;
        }

        @Override
        public void renew() {
            update(null, false, "renewal");
        }

        @Override
        public void write(ReleaseRecord record) {
            update(Checks.nonNull("record", record), false, "record");
        }

        @Override
        public void release(ReleaseRecord finalRecord) {
            try {
                update(finalRecord, true, "release");
            } catch (LockLostException e) {
                LOG.info("{} was no longer held by {} when giving it up", object(), holder);
            }
        }

        /** One write conditioned on the Lease as last seen; after a conflict, re-read: still ours? then again. */
        private synchronized void update(ReleaseRecord record, boolean giveUp, String what) {
            Deadline deadline = Deadline.after(timing.renewDeadline());
            for (int attempt = 1; ; attempt++) {
                Map<String, Object> spec = new HashMap<>();
                spec.put("renewTime", microTime(time.now()));
                if (giveUp) {
                    spec.put("holderIdentity", "");
                }
                try {
                    lease = patch(lease, spec, record);
                    return;
                } catch (KubernetesClientException e) {
                    BlueGreenException error = KubeCalls.apiError(what + " of the release lock on " + object(), object(), e);
                    if (attempt >= ATTEMPTS || (e.getCode() != KubeCalls.CONFLICT && !KubeCalls.outcomeUnknown(e)
                            && !calls.backOffIfThrottled(e, attempt, deadline))) {
                        throw error;
                    }
                    deadline.noteFailure(error);
                    Lease now = get(deadline);
                    if (now == null || now.getSpec() == null || !holder.equals(now.getSpec().getHolderIdentity())) {
                        throw new LockLostException(conventions.appId(), "the release lock on " + object()
                                + " is no longer held by " + holder + ": " + lockState(now).map(Object::toString)
                                .orElse("the Lease is gone"), e);
                    }
                    lease = now;
                }
            }
        }

        @Override
        public String toString() {
            return object() + " held by " + holder;
        }
    }

    // ---------------------------------------------------------------- the record as JSON

    static String encode(ReleaseRecord record) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("releaseId", record.releaseId());
        json.put("namespace", record.app().namespace());
        json.put("app", record.app().app());
        json.put("version", record.version());
        json.put("holder", record.holder());
        json.put("phase", record.phase().name());
        json.put("step", record.step());
        json.put("from", record.from() == null ? null : record.from().name());
        json.put("to", record.to() == null ? null : record.to().name());
        Map<String, Object> before = new LinkedHashMap<>();
        record.before().forEach((color, snapshot) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("version", snapshot.version());
            entry.put("replicas", snapshot.replicas());
            before.put(color.name(), entry);
        });
        json.put("before", before);
        json.put("switchSent", record.switchSent());
        json.put("committed", record.committed());
        json.put("completedSteps", record.completedSteps());
        json.put("outcome", record.outcome() == null ? null : record.outcome().name());
        json.put("startedAt", record.startedAt().toString());
        json.put("updatedAt", record.updatedAt().toString());
        return Serialization.asJson(json);
    }

    @SuppressWarnings("unchecked")
    ReleaseRecord decode(String text) {
        try {
            Map<String, Object> json = Serialization.unmarshal(text, Map.class);
            Map<Color, ReleaseRecord.ColorSnapshot> before = new HashMap<>();
            Map<String, Object> colors = (Map<String, Object>) json.getOrDefault("before", Map.of());
            colors.forEach((name, value) -> {
                Map<String, Object> entry = (Map<String, Object>) value;
                before.put(Color.of(name), new ReleaseRecord.ColorSnapshot((String) entry.get("version"),
                        ((Number) entry.get("replicas")).intValue()));
            });
            List<String> completed = new ArrayList<>((List<String>) json.getOrDefault("completedSteps", List.of()));
            Object outcome = json.get("outcome");
            return new ReleaseRecord((String) json.get("releaseId"),
                    AppId.of((String) json.get("namespace"), (String) json.get("app")), (String) json.get("version"),
                    (String) json.get("holder"), Phase.valueOf((String) json.get("phase")), (String) json.get("step"),
                    color(json.get("from")), color(json.get("to")), before, Boolean.TRUE.equals(json.get("switchSent")),
                    Boolean.TRUE.equals(json.get("committed")), completed,
                    outcome == null ? null : Outcome.valueOf((String) outcome),
                    Instant.parse((String) json.get("startedAt")), Instant.parse((String) json.get("updatedAt")));
        } catch (RuntimeException e) {
            throw new BlueGreenException("the release record in annotation " + RECORD_ANNOTATION + " of " + object()
                    + " cannot be read (" + e.getMessage() + "); it was not written by this SDK or was edited by hand. "
                    + "Check the app's state by hand, then delete the annotation", e);
        }
    }

    private static Color color(Object name) {
        return name == null ? null : Color.of((String) name);
    }

    private static int seconds(Duration duration) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, duration.toSeconds()));
    }

    private static String microTime(Instant instant) {
        return MICRO_TIME.format(ZonedDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
    }

    private static Instant instant(ZonedDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
