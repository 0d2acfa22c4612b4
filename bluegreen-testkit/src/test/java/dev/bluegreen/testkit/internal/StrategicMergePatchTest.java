package dev.bluegreen.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Strategic merge patches as the API server applies them. The first tests are the examples of the Kubernetes
 * documentation ("Update API Objects in Place Using kubectl patch" and the strategic merge patch design
 * document of SIG API Machinery); the others are the patches kubectl itself sends for {@code set image} and
 * {@code apply}.
 */
class StrategicMergePatchTest {

    private static final PatchMeta DEPLOYMENT = PatchMeta.of("apps", "Deployment");

    /** The docs' {@code patch-demo} Deployment: one nginx container and a toleration. */
    private static final String PATCH_DEMO = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: patch-demo
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: nginx
              template:
                metadata:
                  labels:
                    app: nginx
                spec:
                  containers:
                  - name: patch-demo-ctr
                    image: nginx
                  tolerations:
                  - effect: NoSchedule
                    key: dedicated
                    value: test-team
            """;

    @Test
    void docsAStrategicPatchOfContainersAddsASecondContainerAndKeepsTheFirst() {
        Map<String, Object> patched = apply(PATCH_DEMO, """
                spec:
                  template:
                    spec:
                      containers:
                      - name: patch-demo-ctr-2
                        image: redis
                """, DEPLOYMENT);

        // As in the docs' output: the patch's container first, then the one only the server had.
        assertEquals(List.of(Map.of("name", "patch-demo-ctr-2", "image", "redis"), Map.of("name", "patch-demo-ctr", "image", "nginx")),
                Json.at(patched, "spec", "template", "spec", "containers"));
        assertEquals(List.of(Map.of("effect", "NoSchedule", "key", "dedicated", "value", "test-team")),
                Json.at(patched, "spec", "template", "spec", "tolerations"));
    }

    @Test
    void docsTolerationsHaveNoPatchStrategySoThePatchReplacesTheList() {
        Map<String, Object> patched = apply(PATCH_DEMO, """
                spec:
                  template:
                    spec:
                      tolerations:
                      - effect: NoSchedule
                        key: disktype
                        value: ssd
                """, DEPLOYMENT);

        assertEquals(List.of(Map.of("effect", "NoSchedule", "key", "disktype", "value", "ssd")),
                Json.at(patched, "spec", "template", "spec", "tolerations"));
        assertEquals(1, ((List<?>) Json.at(patched, "spec", "template", "spec", "containers")).size());
    }

    /** The docs' {@code retainkeys-demo}: rolling update with maxSurge 30%. */
    private static final String RETAIN_KEYS_DEMO = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: retainkeys-demo
            spec:
              selector:
                matchLabels:
                  app: nginx
              strategy:
                rollingUpdate:
                  maxSurge: 30%
              template:
                metadata:
                  labels:
                    app: nginx
                spec:
                  containers:
                  - name: retainkeys-demo-ctr
                    image: nginx
            """;

    @Test
    void docsWithoutRetainKeysTheRollingUpdateStaysNextToRecreate() {
        Map<String, Object> patched = apply(RETAIN_KEYS_DEMO, """
                spec:
                  strategy:
                    type: Recreate
                """, DEPLOYMENT);

        // The API server then refuses it: rollingUpdate may not be specified when the type is Recreate.
        assertEquals(Map.of("type", "Recreate", "rollingUpdate", Map.of("maxSurge", "30%")), Json.at(patched, "spec", "strategy"));
    }

    @Test
    void docsRetainKeysClearsWhatTheListDoesNotName() {
        Map<String, Object> patched = apply(RETAIN_KEYS_DEMO, """
                spec:
                  strategy:
                    $retainKeys:
                    - type
                    type: Recreate
                """, DEPLOYMENT);

        assertEquals(Map.of("type", "Recreate"), Json.at(patched, "spec", "strategy"));
    }

    @Test
    void designDocADeleteDirectiveRemovesTheElementWithThatMergeKey() {
        Map<String, Object> patched = apply(twoContainers(), """
                spec:
                  template:
                    spec:
                      containers:
                      - name: nginx
                        image: nginx-1.0
                      - $patch: delete
                        name: log-tailer
                """, DEPLOYMENT);

        assertEquals(List.of(Map.of("name", "nginx", "image", "nginx-1.0")), Json.at(patched, "spec", "template", "spec", "containers"));
    }

    @Test
    void designDocAReplaceDirectiveInAListReplacesTheWholeList() {
        Map<String, Object> patched = apply(twoContainers(), """
                spec:
                  template:
                    spec:
                      containers:
                      - name: nginx
                        image: nginx-1.0
                      - $patch: replace
                """, DEPLOYMENT);

        assertEquals(List.of(Map.of("name", "nginx", "image", "nginx-1.0")), Json.at(patched, "spec", "template", "spec", "containers"));
    }

    @Test
    void designDocAReplaceDirectiveInAnObjectReplacesTheObject() {
        Map<String, Object> patched = apply("""
                spec:
                  template:
                    metadata:
                      labels: {app: nginx, tier: web}
                      annotations: {a: b}
                """, """
                spec:
                  template:
                    metadata:
                      $patch: replace
                      labels:
                        app: other
                """, DEPLOYMENT);

        assertEquals(Map.of("labels", Map.of("app", "other")), Json.at(patched, "spec", "template", "metadata"));
    }

    @Test
    void designDocADeleteDirectiveInAnObjectEmptiesIt() {
        Map<String, Object> patched = apply(RETAIN_KEYS_DEMO, """
                spec:
                  strategy:
                    rollingUpdate:
                      $patch: delete
                """, DEPLOYMENT);

        assertEquals(Map.of("rollingUpdate", Map.of()), Json.at(patched, "spec", "strategy"));
    }

    @Test
    void designDocPrimitiveListsWithTheMergeStrategyAreSetsAndDeleteFromPrimitiveListRemovesFromThem() {
        String object = """
                metadata:
                  name: x
                  finalizers: [a, b, c]
                """;
        assertEquals(List.of("a", "b", "c", "d"),
                Json.at(apply(object, "metadata: {finalizers: [c, d]}", DEPLOYMENT), "metadata", "finalizers"));
        assertEquals(List.of("a", "c"),
                Json.at(apply(object, "metadata: {$deleteFromPrimitiveList/finalizers: [b]}", DEPLOYMENT), "metadata", "finalizers"));
    }

    @Test
    void designDocSetElementOrderOrdersTheMergedList() {
        Map<String, Object> patched = apply(twoContainers(), """
                spec:
                  template:
                    spec:
                      $setElementOrder/containers:
                      - name: log-tailer
                      - name: nginx
                      containers:
                      - name: nginx
                        image: nginx-1.1
                """, DEPLOYMENT);

        assertEquals(List.of(Map.of("name", "log-tailer", "image", "log-tailer"), Map.of("name", "nginx", "image", "nginx-1.1")),
                Json.at(patched, "spec", "template", "spec", "containers"));
    }

    @Test
    void nullRemovesAKeyAndObjectsMergeKeyByKey() {
        Map<String, Object> patched = apply("""
                spec:
                  selector:
                    app: myapp
                    version: blue
                    tier: web
                """, "{\"spec\":{\"selector\":{\"version\":\"green\",\"tier\":null}}}", PatchMeta.of("", "Service"));

        assertEquals(Map.of("app", "myapp", "version", "green"), Json.at(patched, "spec", "selector"));
    }

    @Test
    void kubectlSetImageSendsOnlyTheChangedContainerWithItsOrder() {
        Map<String, Object> patched = apply(twoContainers(), """
                {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"log-tailer"}],
                "containers":[{"image":"nginx:1.27","name":"nginx"}]}}}}""", DEPLOYMENT);

        assertEquals(List.of(Map.of("name", "nginx", "image", "nginx:1.27"), Map.of("name", "log-tailer", "image", "log-tailer")),
                Json.at(patched, "spec", "template", "spec", "containers"));
    }

    @Test
    void kubectlApplyRemovesAnEnvVarAndAddsAnotherByName() {
        String live = """
                spec:
                  template:
                    spec:
                      containers:
                      - name: web
                        image: nginx:1.25
                        env: [{name: A, value: "1"}, {name: B, value: "2"}]
                        ports: [{containerPort: 80, protocol: TCP}]
                      - name: sidecar
                        image: busybox
                """;
        // What kubectl apply computes from the last applied configuration, the new one and the live object.
        Map<String, Object> patched = apply(live, """
                {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],
                "containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"C"}],
                "env":[{"name":"C","value":"3"},{"$patch":"delete","name":"B"}],"image":"nginx:1.26","name":"web"}]}}}}""",
                DEPLOYMENT);

        Map<?, ?> web = (Map<?, ?>) ((List<?>) Json.at(patched, "spec", "template", "spec", "containers")).get(0);
        assertEquals("nginx:1.26", web.get("image"));
        assertEquals(List.of(Map.of("name", "A", "value", "1"), Map.of("name", "C", "value", "3")), web.get("env"));
        assertEquals(List.of(Map.of("containerPort", 80, "protocol", "TCP")), web.get("ports"));
    }

    @Test
    void containerPortsMergeByContainerPortWhateverTheNumberType() {
        Map<String, Object> live = Json.parse("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\","
                + "\"ports\":[{\"containerPort\":8080,\"name\":\"http\"}]}]}}}}");
        Map<String, Object> patch = Json.parse("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\","
                + "\"ports\":[{\"containerPort\":8080.0,\"protocol\":\"TCP\"},{\"containerPort\":9090}]}]}}}}");

        Map<String, Object> patched = StrategicMergePatch.apply(live, patch, DEPLOYMENT);

        List<?> ports = (List<?>) ((Map<?, ?>) ((List<?>) Json.at(patched, "spec", "template", "spec", "containers")).get(0)).get("ports");
        assertEquals(2, ports.size(), ports.toString());
        assertEquals("http", ((Map<?, ?>) ports.get(0)).get("name"));
        assertEquals("TCP", ((Map<?, ?>) ports.get(0)).get("protocol"));
    }

    @Test
    void servicePortsMergeByPort() {
        Map<String, Object> patched = apply("""
                spec:
                  ports:
                  - {name: http, port: 80, targetPort: 8080}
                  - {name: metrics, port: 9090, targetPort: 9090}
                """, "spec: {ports: [{port: 80, targetPort: 8081}]}", PatchMeta.of("", "Service"));

        assertEquals(List.of(Map.of("name", "http", "port", 80, "targetPort", 8081), Map.of("name", "metrics", "port", 9090, "targetPort", 9090)),
                Json.at(patched, "spec", "ports"));
    }

    @Test
    void volumesMergeByNameAndRetainKeysSwitchesTheVolumeSource() {
        Map<String, Object> patched = apply("""
                spec:
                  template:
                    spec:
                      volumes:
                      - name: config
                        emptyDir: {}
                      - name: data
                        emptyDir: {}
                      containers:
                      - name: web
                        volumeMounts:
                        - {name: config, mountPath: /etc/app}
                """, """
                spec:
                  template:
                    spec:
                      volumes:
                      - name: config
                        $retainKeys: [configMap, name]
                        configMap: {name: app-config}
                      containers:
                      - name: web
                        volumeMounts:
                        - {name: data, mountPath: /var/data}
                """, DEPLOYMENT);

        assertEquals(List.of(Map.of("name", "config", "configMap", Map.of("name", "app-config")), Map.of("name", "data", "emptyDir", Map.of())),
                Json.at(patched, "spec", "template", "spec", "volumes"));
        Map<?, ?> web = (Map<?, ?>) ((List<?>) Json.at(patched, "spec", "template", "spec", "containers")).get(0);
        assertEquals(List.of(Map.of("name", "data", "mountPath", "/var/data"), Map.of("name", "config", "mountPath", "/etc/app")),
                web.get("volumeMounts"));
    }

    @Test
    void listsWithoutAStrategyAreReplaced() {
        Map<String, Object> patched = apply("""
                spec: {template: {spec: {containers: [{name: web, args: [--a, --b]}]}}}
                """, "spec: {template: {spec: {containers: [{name: web, args: [--c]}]}}}", DEPLOYMENT);

        Map<?, ?> web = (Map<?, ?>) ((List<?>) Json.at(patched, "spec", "template", "spec", "containers")).get(0);
        assertEquals(List.of("--c"), web.get("args"));
    }

    @Test
    void anElementWithoutItsMergeKeyIsAnErrorAsOnARealServer() {
        StrategicMergePatch.PatchException error = assertThrows(StrategicMergePatch.PatchException.class,
                () -> apply(twoContainers(), "spec: {template: {spec: {containers: [{image: x}]}}}", DEPLOYMENT));

        assertEquals(500, error.code());
        assertEquals("map: map[image:x] does not contain declared merge key: name", error.getMessage());
    }

    @Test
    void aKeyOutsideRetainKeysIsABadRequest() {
        StrategicMergePatch.PatchException error = assertThrows(StrategicMergePatch.PatchException.class,
                () -> apply(RETAIN_KEYS_DEMO, "spec: {strategy: {$retainKeys: [type], type: Recreate, rollingUpdate: {}}}", DEPLOYMENT));

        assertEquals(400, error.code());
        assertEquals("invalid patch format of retainKeys", error.getMessage());
    }

    @Test
    void theOriginalIsNotChanged() {
        Map<String, Object> original = parse(twoContainers());
        String before = Serialization.asJson(original);

        apply(twoContainers(), "spec: {template: {spec: {containers: [{name: nginx, $patch: delete}]}}}", DEPLOYMENT);
        StrategicMergePatch.apply(original, parse("spec: {replicas: 5}"), DEPLOYMENT);

        assertEquals(before, Serialization.asJson(original));
        assertTrue(before.contains("log-tailer"));
    }

    private static String twoContainers() {
        return """
                spec:
                  template:
                    spec:
                      containers:
                      - name: nginx
                        image: nginx
                      - name: log-tailer
                        image: log-tailer
                """;
    }

    private static Map<String, Object> apply(String original, String patch, PatchMeta meta) {
        return StrategicMergePatch.apply(parse(original), parse(patch), meta);
    }

    private static Map<String, Object> parse(String yamlOrJson) {
        return Json.cast(Serialization.unmarshal(yamlOrJson, Map.class));
    }
}
