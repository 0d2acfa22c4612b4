package dev.bluegreen.testkit.internal;

import static dev.bluegreen.testkit.internal.Models.timestamp;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Records core/v1 Events the way client-go's event recorder does: an Event names the object it is about
 * ({@code involvedObject}), its source, type, reason and message; a repeat of the same Event increments its
 * {@code count} and moves its {@code lastTimestamp} instead of creating another one. Used on the controller
 * loop only.
 */
final class EventRecorder {

    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

    private final KubernetesClient client;
    private final SimClock clock;
    /** Events recorded so far, by what makes two Events the same. */
    private final Map<String, Event> recorded = new HashMap<>();

    EventRecorder(KubernetesClient client, SimClock clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * Records an Event, or counts a repeat of one.
     *
     * @param involved  the object the Event is about
     * @param fieldPath the part of it, e.g. {@code spec.containers{app}}, or null
     * @param type      {@code Normal} or {@code Warning}
     * @param reason    e.g. {@code Unhealthy}
     * @param message   the human-readable message
     * @param component the reporting component, e.g. {@code kubelet}
     * @param host      the node the component runs on, or null
     */
    void record(HasMetadata involved, String fieldPath, String type, String reason, String message, String component,
            String host) {
        String namespace = involved.getMetadata().getNamespace();
        String identity = involved.getMetadata().getUid() + "|" + fieldPath + "|" + type + "|" + reason + "|" + message;
        Instant now = clock.instant();
        Event known = recorded.get(identity);
        if (known != null) {
            int count = known.getCount() == null ? 1 : known.getCount() + 1;
            Event counted = client.v1().events().inNamespace(namespace).resource(known).patch(MERGE,
                    "{\"count\":" + count + ",\"lastTimestamp\":\"" + timestamp(now) + "\"}");
            recorded.put(identity, counted);
            return;
        }
        Event event = new EventBuilder()
                .withNewMetadata()
                // As client-go names Events: the object's name and 16 hex digits.
                .withName(involved.getMetadata().getName() + "." + Canonical.hash(identity) + Canonical.hash(identity + "#").substring(0, 6))
                .withNamespace(namespace)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(involved.getApiVersion())
                .withKind(involved.getKind())
                .withName(involved.getMetadata().getName())
                .withNamespace(namespace)
                .withUid(involved.getMetadata().getUid())
                .withResourceVersion(involved.getMetadata().getResourceVersion())
                .withFieldPath(fieldPath)
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withCount(1)
                .withFirstTimestamp(timestamp(now))
                .withLastTimestamp(timestamp(now))
                .withNewSource().withComponent(component).withHost(host).endSource()
                .withReportingComponent(component)
                .withReportingInstance(host == null ? component : host)
                .build();
        recorded.put(identity, client.v1().events().inNamespace(namespace).resource(event).create());
    }

    /**
     * Forgets the Events about an object that is gone.
     *
     * @param uid the object's uid
     */
    void forget(String uid) {
        recorded.keySet().removeIf(identity -> identity.startsWith(uid + "|"));
    }
}
