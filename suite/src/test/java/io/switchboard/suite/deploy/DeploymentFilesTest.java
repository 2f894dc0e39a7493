package io.switchboard.suite.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml and the files it mounts, checked as far as can be without a Docker engine: the
 * structure compose needs (healthchecks, {@code service_healthy} dependencies on services that
 * exist, scalable gateways), that every setting the services read is documented in the one table of
 * docs/operations.md, and that the environment compose gives each service binds to its configuration.
 */
class DeploymentFilesTest {

    private static final Path REPO = Nginx.REPOSITORY;

    /** Compose service → the package of that service's configuration records. */
    private static final Map<String, String> SWITCHBOARD_SERVICES = Map.of(
            "gateway", "io.switchboard.gateway",
            "presence", "io.switchboard.presenceservice",
            "routing", "io.switchboard.routing",
            "offline", "io.switchboard.offline");

    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::?([-?])([^}]*))?}");

    @Test
    void everyServiceHasAHealthcheckAndWaitsOnlyForHealthyServicesThatExist() {
        Map<String, Map<String, Object>> services = services();
        assertThat(services)
                .containsKeys(
                        "kafka", "redis", "presence", "routing", "offline", "gateway", "lb", "prometheus", "grafana");
        services.forEach((name, service) -> {
            Map<String, Object> healthcheck = map(service.get("healthcheck"));
            assertThat(healthcheck).as("%s has a healthcheck", name).isNotNull();
            assertThat((List<?>) healthcheck.get("test"))
                    .as("%s healthcheck", name)
                    .isNotEmpty();
            assertThat(service).as("%s has a memory limit", name).containsKey("mem_limit");
            Map<String, Object> dependsOn = map(service.get("depends_on"));
            if (dependsOn != null) {
                dependsOn.forEach((dependency, condition) -> {
                    assertThat(services)
                            .as("%s depends on %s", name, dependency)
                            .containsKey(dependency);
                    assertThat(map(condition))
                            .as("%s waits for %s to be healthy", name, dependency)
                            .containsEntry("condition", "service_healthy");
                });
            }
        });
    }

    @Test
    void gatewaysScaleWithoutFixedHostPortsOrNamesAndTheLoadBalancerFindsThemThroughDockerDns() {
        Map<String, Object> gateway = services().get("gateway");
        assertThat(gateway).doesNotContainKeys("ports", "container_name", "hostname");
        assertThat(environment("gateway")).doesNotContainKey("SWITCHBOARD_GATEWAY_NODE_ID");

        Map<String, String> lb = environment("lb");
        assertThat(lb).containsEntry("LB_GATEWAYS", "gateway:8080").containsEntry("NGINX_RESOLVER", "127.0.0.11");
        assertThat(lb.keySet()).containsAll(Nginx.templateVariables());
        String directives = read(path(REPO.resolve("deploy/nginx/templates/default.conf.template")))
                .replaceAll("(?m)#.*$", "");
        assertThat(directives)
                .contains("proxy_set_header Upgrade $http_upgrade")
                .contains("proxy_set_header Connection $connection_upgrade")
                .contains("proxy_read_timeout 3600s")
                // no stickiness: any node serves any session
                .doesNotContain("ip_hash")
                .doesNotContain("hash ")
                .doesNotContain("sticky");
    }

    @Test
    void kafkaIsTheOfficialImageInKraftModeAndRedisKeepsAnAppendOnlyFileOnAVolume() {
        Map<String, Object> kafka = services().get("kafka");
        assertThat((String) kafka.get("image")).startsWith("apache/kafka:");
        assertThat(environment("kafka"))
                .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
                .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
        assertThat(volumeTargets("kafka")).contains("/var/lib/kafka/data");

        List<?> command = (List<?>) services().get("redis").get("command");
        String joined = command.stream().map(String::valueOf).reduce("", (a, b) -> a + " " + b);
        assertThat(joined).contains("--appendonly yes").contains("--appendfsync everysec");
        assertThat(volumeTargets("redis")).contains("/data");
    }

    @Test
    void everySwitchboardServiceIsBuiltFromItsOwnJarAndSizedForItsContainer() {
        for (String name : SWITCHBOARD_SERVICES.keySet()) {
            Map<String, Object> service = services().get(name);
            String module = name + "-service";
            assertThat((String) service.get("image")).startsWith("switchboard/" + module + ":");
            Map<String, Object> build = map(service.get("build"));
            assertThat(REPO.resolve((String) build.get("dockerfile"))).exists();
            assertThat(resolve((String) map(build.get("args")).get("JAR_FILE")))
                    .matches(module + "/target/" + module + "-.+-exec\\.jar");
            assertThat(environment(name).get("JAVA_OPTS"))
                    .contains("-XX:MaxRAMPercentage=")
                    .contains("-XX:+ExitOnOutOfMemoryError");
            assertThat(environment(name)).containsEntry("SERVER_ADDRESS", "0.0.0.0");
        }
        assertThat(read(path(REPO.resolve("deploy/docker/Dockerfile"))))
                .contains("jarmode=tools")
                .contains("USER 10001")
                .contains("-XX:MaxRAMPercentage=");
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesEveryServiceWhereItExposesItsMetrics() {
        Map<String, Object> prometheus = new Yaml().load(read(REPO.resolve("deploy/prometheus/prometheus.yml")));
        Set<String> scraped = new TreeSet<>();
        for (Object job : (List<?>) prometheus.get("scrape_configs")) {
            Map<String, Object> config = map(job);
            assertThat(config).containsEntry("metrics_path", "/actuator/prometheus");
            for (Object sd : (List<?>) config.get("dns_sd_configs")) {
                assertThat(map(sd)).containsEntry("port", 8080);
                for (Object host : (List<?>) map(sd).get("names")) {
                    scraped.add((String) host);
                }
            }
        }
        assertThat(scraped).containsAll(SWITCHBOARD_SERVICES.keySet());
        for (String name : SWITCHBOARD_SERVICES.keySet()) {
            String module = name + "-service";
            Map<String, Object> yml =
                    new Yaml().load(read(REPO.resolve(module + "/src/main/resources/" + module + ".yml")));
            Map<String, Object> exposure =
                    map(map(map(map(yml.get("management")).get("endpoints")).get("web"))
                            .get("exposure"));
            assertThat(String.valueOf(exposure.get("include"))).as(module).contains("prometheus");
        }
        assertThat((List<Object>) prometheus.get("rule_files")).containsExactly("/etc/prometheus/alerts.yml");
        assertThat(volumeSources("prometheus")).contains("./deploy/prometheus");
    }

    @Test
    void theAlertRulesPrometheusLoadsAreInTheRepository() {
        Path alerts = REPO.resolve("deploy/prometheus/alerts.yml");
        Assumptions.assumeTrue(Files.exists(alerts), "deploy/prometheus/alerts.yml comes with the metrics work");
        Map<String, Object> rules = new Yaml().load(read(alerts));
        assertThat((List<?>) rules.get("groups")).isNotEmpty();
    }

    @Test
    void grafanaIsProvisionedWithPrometheusAndTheDashboardsFolder() {
        Map<String, Object> provider = map(((List<?>) new Yaml()
                        .<Map<String, Object>>load(
                                read(REPO.resolve("deploy/grafana/provisioning/dashboards/switchboard.yml")))
                        .get("providers"))
                .get(0));
        String dashboards = (String) map(provider.get("options")).get("path");
        assertThat(volumeSources("grafana")).contains("./deploy/grafana/provisioning", "./deploy/grafana/dashboards");
        assertThat(volumeTargets("grafana")).contains(dashboards);
        Map<String, Object> datasource = map(((List<?>) new Yaml()
                        .<Map<String, Object>>load(
                                read(REPO.resolve("deploy/grafana/provisioning/datasources/prometheus.yml")))
                        .get("datasources"))
                .get(0));
        assertThat(datasource).containsEntry("url", "http://prometheus:9090");
    }

    @Test
    void everyFileComposeMountsExists() {
        services().forEach((name, service) -> {
            for (String source : volumeSources(name)) {
                if (source.startsWith("./")) {
                    assertThat(REPO.resolve(source.substring(2)))
                            .as("%s mounts %s", name, source)
                            .exists();
                }
            }
        });
    }

    @Test
    void everySettingTheServicesReadIsDocumentedInTheOperationsTable() {
        Set<String> documented = documentedVariables();
        Set<String> read = new TreeSet<>();
        for (String pkg : SWITCHBOARD_SERVICES.values()) {
            read.addAll(environmentVariables(pkg));
        }
        assertThat(read).hasSizeGreaterThan(20);
        assertThat(documented).containsAll(read);
        for (String name : SWITCHBOARD_SERVICES.keySet()) {
            assertThat(documented)
                    .as("what compose sets for %s", name)
                    .containsAll(environment(name).keySet());
        }
    }

    @Test
    void theEnvironmentComposeGivesEachServiceBindsToItsConfiguration() throws Exception {
        for (Map.Entry<String, String> service : SWITCHBOARD_SERVICES.entrySet()) {
            Map<String, String> env = environment(service.getKey());
            Set<String> known = environmentVariables(service.getValue());
            for (String variable : env.keySet()) {
                if (variable.startsWith("SWITCHBOARD_")) {
                    assertThat(known)
                            .as("%s sets %s", service.getKey(), variable)
                            .contains(variable);
                }
            }
            StandardEnvironment environment = new StandardEnvironment();
            environment
                    .getPropertySources()
                    .replace(
                            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                            new SystemEnvironmentPropertySource(
                                    StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.copyOf(env)));
            for (Class<?> type : propertiesClasses(service.getValue())) {
                String prefix = prefix(type);
                Object bound = Binder.get(environment).bindOrCreate(prefix, type);
                assertThat(bound).isNotNull();
                Object kafka = component(bound, "kafka");
                if (kafka != null) {
                    assertThat(component(kafka, "bootstrapServers")).isEqualTo("kafka:9092");
                    assertThat(component(component(bound, "redis"), "uri")).isEqualTo("redis://redis:6379");
                }
            }
        }
        // names with dashes are written with underscores, as docs/operations.md shows them
        StandardEnvironment environment = new StandardEnvironment();
        environment
                .getPropertySources()
                .replace(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        new SystemEnvironmentPropertySource(
                                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                Map.of(
                                        "SWITCHBOARD_PRESENCE_NODE_LEASE", "7s",
                                        "SWITCHBOARD_KAFKA_CLIENTPROPERTIES_SECURITY_PROTOCOL", "SSL")));
        Class<?> gatewayPresence = Class.forName("io.switchboard.gateway.presence.GatewayPresenceProperties");
        assertThat(component(
                        Binder.get(environment).bindOrCreate("switchboard.presence", gatewayPresence), "nodeLease"))
                .isEqualTo(Duration.ofSeconds(7));
        Class<?> kafkaSettings = Class.forName("io.switchboard.kafka.KafkaSettings");
        assertThat(component(
                        Binder.get(environment).bindOrCreate("switchboard.kafka", kafkaSettings), "clientProperties"))
                .isEqualTo(Map.of("security.protocol", "SSL"));
    }

    // --- reading the files ---

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() {
        Map<String, Object> compose = new Yaml().load(read(REPO.resolve("docker-compose.yml")));
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    /** A service's environment with compose's ${VAR:-default} resolved to the default. */
    private static Map<String, String> environment(String service) {
        Map<String, Object> raw = map(services().get(service).get("environment"));
        Map<String, String> env = new LinkedHashMap<>();
        if (raw != null) {
            raw.forEach((key, value) -> env.put(key, resolve(String.valueOf(value))));
        }
        return env;
    }

    private static String resolve(String value) {
        Matcher m = INTERPOLATION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if ("?".equals(m.group(2))) {
                replacement = "a-required-value-of-at-least-32-bytes-given-by-the-operator";
            } else {
                replacement = m.group(3) == null ? "" : m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static List<String> volumeSources(String service) {
        return volumes(service, 0);
    }

    private static List<String> volumeTargets(String service) {
        return volumes(service, 1);
    }

    private static List<String> volumes(String service, int part) {
        List<String> parts = new ArrayList<>();
        Object volumes = services().get(service).get("volumes");
        if (volumes != null) {
            for (Object volume : (List<?>) volumes) {
                parts.add(String.valueOf(volume).split(":")[part]);
            }
        }
        return parts;
    }

    /** The first column of docs/operations.md's environment table: every `NAME` in it. */
    private static Set<String> documentedVariables() {
        String doc = read(REPO.resolve("docs/operations.md"));
        int start = doc.indexOf("\n## Configuration");
        assertThat(start)
                .as("docs/operations.md has a '## Configuration' section")
                .isPositive();
        int end = doc.indexOf("\n## ", start + 1);
        Set<String> names = new LinkedHashSet<>();
        Matcher m = Pattern.compile("`([A-Z][A-Z0-9_<>]+)`").matcher("");
        for (String line : doc.substring(start, end < 0 ? doc.length() : end).split("\n")) {
            if (line.startsWith("| `")) {
                m.reset(line.split("\\|")[1]);
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    // --- the settings the services read ---

    private static List<Class<?>> propertiesClasses(String pkg) {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        List<Class<?>> classes = new ArrayList<>();
        for (BeanDefinition candidate : scanner.findCandidateComponents(pkg)) {
            try {
                classes.add(Class.forName(candidate.getBeanClassName()));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        assertThat(classes).as("configuration records in %s", pkg).isNotEmpty();
        return classes;
    }

    private static String prefix(Class<?> type) {
        ConfigurationProperties annotation = type.getAnnotation(ConfigurationProperties.class);
        return annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
    }

    /** Every environment variable the service in {@code pkg} reads, in the form the table shows it. */
    private static Set<String> environmentVariables(String pkg) {
        Set<String> names = new TreeSet<>();
        for (Class<?> type : propertiesClasses(pkg)) {
            collect(prefix(type), type, names);
        }
        return names;
    }

    private static void collect(String prefix, Class<?> type, Set<String> names) {
        for (RecordComponent component : type.getRecordComponents()) {
            String property = prefix + "." + kebab(component.getName());
            Class<?> componentType = component.getType();
            if (componentType.isRecord() && componentType.getName().startsWith("io.switchboard.")) {
                collect(property, componentType, names);
            } else if (Map.class.isAssignableFrom(componentType)) {
                // map keys go after the name without its dashes: SWITCHBOARD_KAFKA_CLIENTPROPERTIES_SECURITY_PROTOCOL
                names.add(property.replace("-", "").replace('.', '_').toUpperCase(Locale.ROOT) + "_<KEY>");
            } else {
                names.add(property.replace('-', '_').replace('.', '_').toUpperCase(Locale.ROOT));
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static Object component(Object record, String name) throws Exception {
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            if (component.getName().equals(name)) {
                return component.getAccessor().invoke(record);
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    private static Path path(Path file) {
        assertThat(file).exists();
        return file;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
