package io.switchboard.suite;

import io.switchboard.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

/**
 * The observability files we ship, read as Grafana and Prometheus read them: the dashboard JSON
 * ({@code deploy/grafana/dashboards/switchboard.json}), the alert rules
 * ({@code deploy/prometheus/alerts.yml}) and the metric catalogue ({@code docs/metrics.md}).
 */
final class ObservabilityFiles {

    /** The repository root, from the module directory Maven runs the tests in. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    static final Path DASHBOARD = ROOT.resolve("deploy/grafana/dashboards/switchboard.json");
    static final Path ALERTS = ROOT.resolve("deploy/prometheus/alerts.yml");
    static final Path CATALOGUE = ROOT.resolve("docs/metrics.md");

    /** Series names our services export (Prometheus naming); {@code up} and the like come from Prometheus. */
    private static final Pattern METRIC =
            Pattern.compile("\\b((?:switchboard|lettuce|jvm|process|netty|http_server|reactor_netty)_[a-z0-9_]+)\\b");

    private ObservabilityFiles() {}

    static JsonNode dashboard() {
        try {
            return Json.MAPPER.readTree(Files.readString(DASHBOARD));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every panel of the dashboard, rows' nested panels included. */
    static List<JsonNode> panels() {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard().get("panels")) {
            all.add(panel);
            if (panel.has("panels")) {
                panel.get("panels").forEach(all::add);
            }
        }
        return all;
    }

    /** Every PromQL expression of the dashboard's panel targets. */
    static List<String> dashboardExpressions() {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : panels()) {
            if (panel.has("targets")) {
                for (JsonNode target : panel.get("targets")) {
                    exprs.add(target.get("expr").asString());
                }
            }
        }
        return exprs;
    }

    /** The alert rules file as Prometheus's YAML: {@code groups[].rules[]}. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> alertRules() {
        try (InputStream in = Files.newInputStream(ALERTS)) {
            Map<String, Object> file = new Yaml().load(in);
            List<Map<String, Object>> rules = new ArrayList<>();
            for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
                rules.addAll((List<Map<String, Object>>) group.get("rules"));
            }
            return rules;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> alertExpressions() {
        return alertRules().stream().map(r -> String.valueOf(r.get("expr"))).toList();
    }

    /** The series names an expression reads (ours only; Prometheus's own, like {@code up}, are left out). */
    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Every series name the dashboard and the alert rules read. */
    static Set<String> metricNamesUsed() {
        Set<String> names = new TreeSet<>();
        dashboardExpressions().forEach(e -> names.addAll(metricNames(e)));
        alertExpressions().forEach(e -> names.addAll(metricNames(e)));
        return names;
    }

    /**
     * The name a series belongs to as the catalogue lists it: a histogram's {@code _bucket},
     * {@code _count}, {@code _sum}, a timer's {@code _max} and a counter's {@code _total} are dropped.
     */
    static String family(String series) {
        for (String suffix : List.of("_bucket", "_count", "_sum", "_max", "_total")) {
            if (series.endsWith(suffix)) {
                return series.substring(0, series.length() - suffix.length());
            }
        }
        return series;
    }
}
