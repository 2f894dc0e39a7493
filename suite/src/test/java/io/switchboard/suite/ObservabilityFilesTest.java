package io.switchboard.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The Grafana dashboard and the Prometheus alert rules parse, are complete, and read only series the
 * metric catalogue (docs/metrics.md) documents. That those series are really exported is
 * {@link MetricsIT}'s part.
 */
class ObservabilityFilesTest {

    @Test
    void theDashboardIsGrafanaJsonWithADatasourceVariableAndAQueryInEveryPanel() {
        JsonNode dashboard = ObservabilityFiles.dashboard();
        assertThat(dashboard.get("uid").asString()).isEqualTo("switchboard");
        assertThat(dashboard.get("title").asString()).isNotBlank();
        JsonNode datasource = null;
        for (JsonNode variable : dashboard.get("templating").get("list")) {
            if ("datasource".equals(variable.get("type").asString())) {
                datasource = variable;
            }
        }
        assertThat(datasource).as("a datasource variable").isNotNull();
        assertThat(datasource.get("query").asString()).isEqualTo("prometheus");
        String uid = "${" + datasource.get("name").asString() + "}";

        Set<Integer> ids = new TreeSet<>();
        List<JsonNode> panels = ObservabilityFiles.panels();
        assertThat(panels).hasSizeGreaterThan(10);
        for (JsonNode panel : panels) {
            String title = panel.get("title").asString();
            assertThat(ids.add(panel.get("id").asInt()))
                    .as("unique id of %s", title)
                    .isTrue();
            assertThat(panel.get("gridPos").get("w").asInt())
                    .as("%s width", title)
                    .isBetween(1, 24);
            if ("row".equals(panel.get("type").asString())) {
                continue;
            }
            assertThat(panel.get("datasource").get("uid").asString())
                    .as("%s datasource", title)
                    .isEqualTo(uid);
            assertThat(panel.get("targets")).as("%s queries", title).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                assertThat(target.get("datasource").get("uid").asString()).isEqualTo(uid);
                String expr = target.get("expr").asString();
                assertThat(!ObservabilityFiles.metricNames(expr).isEmpty() || expr.contains("up{"))
                        .as("%s: %s reads one of our series (or Prometheus's up)", title, expr)
                        .isTrue();
                assertBalanced(expr);
            }
        }
    }

    @Test
    void everyAlertRuleIsCompleteAndSaysHowUrgentItIs() {
        List<Map<String, Object>> rules = ObservabilityFiles.alertRules();
        assertThat(rules)
                .extracting(r -> r.get("alert"))
                .contains(
                        "SwitchboardDeliveryLatencyHigh",
                        "SwitchboardConsumerLagHigh",
                        "SwitchboardGatewayDown",
                        "SwitchboardSendErrorRateHigh")
                .doesNotHaveDuplicates();
        String catalogue = catalogue();
        for (Map<String, Object> rule : rules) {
            Object name = rule.get("alert");
            assertThat(String.valueOf(rule.get("expr"))).as("%s expr", name).isNotBlank();
            assertBalanced(String.valueOf(rule.get("expr")));
            assertThat(String.valueOf(rule.get("for"))).as("%s for", name).matches("\\d+[smh]");
            @SuppressWarnings("unchecked")
            Map<String, Object> labels = (Map<String, Object>) rule.get("labels");
            assertThat(labels.get("severity")).as("%s severity", name).isIn("page", "ticket");
            @SuppressWarnings("unchecked")
            Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
            assertThat(annotations).as("%s annotations", name).containsKeys("summary", "description", "runbook");
            assertThat(catalogue)
                    .as("%s is explained in docs/metrics.md#alerts", name)
                    .contains("`" + name + "`");
        }
    }

    @Test
    void everySeriesTheDashboardAndTheAlertsReadIsInTheCatalogue() {
        String catalogue = catalogue();
        Set<String> used = ObservabilityFiles.metricNamesUsed();
        assertThat(used).contains("switchboard_delivery_latency_seconds_bucket", "switchboard_kafka_consumer_lag");
        for (String series : used) {
            assertThat(catalogue)
                    .as("docs/metrics.md lists %s", series)
                    .containsAnyOf("`" + series + "`", "`" + ObservabilityFiles.family(series) + "`");
        }
    }

    /** Prometheus's own check, where promtool is installed (Debian: apt-get install prometheus). */
    @Test
    void promtoolAcceptsTheRules() throws IOException, InterruptedException {
        Path promtool = Path.of("/usr/bin/promtool");
        assumeTrue(Files.isExecutable(promtool), "promtool not installed");
        Process p = new ProcessBuilder(promtool.toString(), "check", "rules", ObservabilityFiles.ALERTS.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("SUCCESS");
    }

    private static String catalogue() {
        try {
            return Files.readString(ObservabilityFiles.CATALOGUE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertBalanced(String expr) {
        int depth = 0;
        for (char c : expr.toCharArray()) {
            depth += c == '(' || c == '{' || c == '[' ? 1 : c == ')' || c == '}' || c == ']' ? -1 : 0;
            assertThat(depth).as("brackets of %s", expr).isNotNegative();
        }
        assertThat(depth).as("brackets of %s", expr).isZero();
    }
}
