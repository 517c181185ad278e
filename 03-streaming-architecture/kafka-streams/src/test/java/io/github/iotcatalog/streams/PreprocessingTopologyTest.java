package io.github.iotcatalog.streams;

import static io.github.iotcatalog.streams.SensorJson.bytes;
import static io.github.iotcatalog.streams.SensorJson.event;
import static io.github.iotcatalog.streams.SensorJson.metadata;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology as a specification, run with TopologyTestDriver (no broker). */
class PreprocessingTopologyTest {

    private static final String M1 = "BER1-L1-M01";
    private static final String M2 = "BER1-L1-M02";
    /** Record timestamps are the producer's clock; windows must follow event_time, not this. */
    private static final Instant PRODUCED_AT = Instant.parse("2026-11-23T02:00:00Z");

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> events;
    private TestInputTopic<String, byte[]> machines;
    private TestOutputTopic<String, String> aggregates;
    private TestOutputTopic<String, byte[]> deadLetters;
    private TestOutputTopic<String, byte[]> late;
    private int eventNumber;

    private void start(PreprocessingConfig config) {
        Properties properties = new Properties();
        properties.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, "preprocessing-test");
        properties.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        properties.setProperty(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        properties.setProperty(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        properties.setProperty(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION, "0");
        driver = new TopologyTestDriver(PreprocessingTopology.build(config), properties);
        events = driver.createInputTopic(config.inputTopic(), new StringSerializer(), new ByteArraySerializer());
        machines = driver.createInputTopic(config.metadataTopic(), new StringSerializer(), new ByteArraySerializer());
        aggregates = driver.createOutputTopic(config.outputTopic(), new StringDeserializer(), new StringDeserializer());
        deadLetters = driver.createOutputTopic(config.deadLetterTopic(), new StringDeserializer(),
                new ByteArrayDeserializer());
        late = driver.createOutputTopic(config.lateTopic(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void start() {
        start(PreprocessingConfig.defaults());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void sendEvent(String machineId, String eventTime, double temperatureC) {
        eventNumber++;
        events.pipeInput(machineId, bytes(event("e-" + eventNumber, machineId, eventTime, temperatureC)),
                PRODUCED_AT.plusMillis(eventNumber));
    }

    private void sendRaw(String key, byte[] value) {
        eventNumber++;
        events.pipeInput(key, value, PRODUCED_AT.plusMillis(eventNumber));
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static JsonNode json(byte[] value) {
        return json(new String(value, StandardCharsets.UTF_8));
    }

    private static String header(TestRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The latest update of every (machine, window_start): what a MERGE on that key ends with. */
    private Map<String, JsonNode> latestWindows() {
        Map<String, JsonNode> latest = new HashMap<>();
        for (String value : aggregates.readValuesToList()) {
            JsonNode node = json(value);
            latest.put(node.get("machine_id").asText() + "@" + node.get("window_start").asText(), node);
        }
        return latest;
    }

    private static long eventCountTotal(Map<String, JsonNode> windows) {
        return windows.values().stream().mapToLong(w -> w.get("event_count").asLong()).sum();
    }

    @Test
    void everyInputRecordEndsInExactlyOnePlace() {
        start();
        machines.pipeInput(M1, bytes(metadata(M1, "BER1-L1", "cnc_mill")), PRODUCED_AT);
        sendEvent(M1, "2026-01-05T06:00:01.000Z", 40.0);
        sendEvent(M1, "2026-01-05T06:00:31.000Z", 41.0);
        sendEvent(M2, "2026-01-05T06:00:40.000Z", 42.0);                         // unknown machine: still counted
        sendRaw(M1, bytes("{\"event_id\":\"bad-1\",\"machine_id\":\"BER1"));   // malformed
        sendRaw(M1, bytes("{\"machine_id\":\"BER1-L1-M01\",\"event_time\":\"2026-01-05T06:00:02Z\"}"));
        sendEvent(M1, "2026-01-05T06:01:05.000Z", 9999.0);                       // out of range
        sendEvent(M1, "2026-01-05T06:12:00.000Z", 43.0);                         // moves stream time on
        sendEvent(M1, "2026-01-05T06:02:00.000Z", 44.0);                         // window closed 06:08: late
        int sent = eventNumber;

        Map<String, JsonNode> windows = latestWindows();
        List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
        List<TestRecord<String, byte[]>> lateRecords = late.readRecordsToList();

        assertEquals(4, eventCountTotal(windows));
        assertEquals(3, dead.size());
        assertEquals(1, lateRecords.size());
        assertEquals(sent, eventCountTotal(windows) + dead.size() + lateRecords.size());
        assertEquals(List.of("malformed_json", "missing_event_id", "out_of_range:temperature_c"),
                dead.stream().map(r -> header(r, DeadLetters.REASON_HEADER)).toList());
    }

    @Test
    void aDeadLetterKeepsTheOriginalBytesAndSaysWhereTheyCameFrom() {
        start();
        sendEvent(M1, "2026-01-05T06:00:01.000Z", 40.0);
        String broken = "{\"event_id\":\"bad-1\",\"machine_id\":\"BER1";
        sendRaw(M1, bytes(broken));

        TestRecord<String, byte[]> record = deadLetters.readRecord();
        JsonNode envelope = json(record.getValue());

        assertEquals(M1, record.getKey());
        assertEquals("malformed_json", header(record, DeadLetters.REASON_HEADER));
        assertEquals("validate_event", header(record, DeadLetters.STAGE_HEADER));
        assertEquals("malformed_json", envelope.get("reason").asText());
        assertEquals("iot.sensor-events", envelope.get("source_topic").asText());
        assertEquals(0, envelope.get("source_partition").asInt());
        assertEquals(1, envelope.get("source_offset").asLong());
        assertEquals(broken, envelope.get("value").asText());
        assertEquals("utf8", envelope.get("value_encoding").asText());
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void aPayloadThatIsNotUtf8IsDeadLetteredAsBase64() {
        start();
        byte[] binary = {(byte) 0xC3, (byte) 0x28, 0x7B};
        sendRaw(M1, binary);

        JsonNode envelope = json(deadLetters.readValue());

        assertEquals("malformed_json", envelope.get("reason").asText());
        assertEquals("base64", envelope.get("value_encoding").asText());
        assertEquals(Base64.getEncoder().encodeToString(binary), envelope.get("value").asText());
    }

    @Test
    void eventsAreEnrichedFromTheMachineMetadataTableNotFromWhatTheDeviceSays() {
        start();
        machines.pipeInput(M1, bytes(metadata(M1, "BER1-L1", "cnc_mill")), PRODUCED_AT);
        sendEvent(M1, "2026-01-05T06:00:01.000Z", 40.0);

        JsonNode window = json(aggregates.readValue());

        assertEquals("BER1-L1", window.get("line_id").asText());
        assertEquals("cnc_mill", window.get("machine_type").asText());
        assertEquals("SITE-BER", window.get("site_id").asText());
        assertEquals("Northmill", window.get("manufacturer").asText());
        assertEquals(0, window.get("unknown_machine_events").asLong());
    }

    @Test
    void anUnknownMachineIsCountedAndNamedNotDropped() {
        start();
        sendEvent(M2, "2026-01-05T06:00:01.000Z", 40.0);

        JsonNode window = json(aggregates.readValue());

        assertEquals(1, window.get("event_count").asLong());
        assertEquals(1, window.get("unknown_machine_events").asLong());
        assertEquals("self-reported-line", window.get("line_id").asText(), "falls back to the event's own fields");
        assertTrue(window.get("site_id").isNull());
    }

    @Test
    void aMetadataUpdateAppliesToLaterEventsAndATombstoneRetiresTheMachine() {
        start();
        machines.pipeInput(M1, bytes(metadata(M1, "BER1-L1", "cnc_mill")), PRODUCED_AT);
        sendEvent(M1, "2026-01-05T06:00:01.000Z", 40.0);
        machines.pipeInput(M1, bytes(metadata(M1, "BER1-L2", "cnc_mill")), PRODUCED_AT.plusSeconds(1));
        sendEvent(M1, "2026-01-05T06:01:01.000Z", 40.0);
        machines.pipeInput(M1, (byte[]) null, PRODUCED_AT.plusSeconds(2));
        sendEvent(M1, "2026-01-05T06:02:01.000Z", 40.0);

        List<JsonNode> windows = aggregates.readValuesToList().stream().map(PreprocessingTopologyTest::json).toList();

        assertEquals(List.of("BER1-L1", "BER1-L2", "self-reported-line"),
                windows.stream().map(w -> w.get("line_id").asText()).toList());
        assertEquals(List.of(0L, 0L, 1L), windows.stream().map(w -> w.get("unknown_machine_events").asLong()).toList());
        assertTrue(deadLetters.isEmpty(), "a tombstone is valid metadata, not a dead letter");
    }

    @Test
    void invalidMetadataIsDeadLetteredAndLeavesTheTableAlone() {
        start();
        machines.pipeInput(M1, bytes(metadata(M1, "BER1-L1", "cnc_mill")), PRODUCED_AT);
        machines.pipeInput(M1, bytes("{\"machine_id\":\"BER1-L1-M01\",\"machine_type\":\"press\"}"), PRODUCED_AT);
        sendEvent(M1, "2026-01-05T06:00:01.000Z", 40.0);

        TestRecord<String, byte[]> dead = deadLetters.readRecord();

        assertEquals("missing_line_id", header(dead, DeadLetters.REASON_HEADER));
        assertEquals("validate_machine_metadata", header(dead, DeadLetters.STAGE_HEADER));
        assertEquals("iot.machine-metadata", json(dead.getValue()).get("source_topic").asText());
        assertEquals("BER1-L1", json(aggregates.readValue()).get("line_id").asText());
    }

    @Test
    void windowsAreOneMinuteAlignedOnEventTimeNotOnTheRecordTimestamp() {
        start();
        sendEvent(M1, "2026-01-05T06:00:30.500Z", 40.0);
        sendEvent(M1, "2026-01-05T06:00:59.999Z", 50.0);
        sendEvent(M1, "2026-01-05T06:01:00.000Z", 60.0);

        Map<String, JsonNode> windows = latestWindows();
        JsonNode first = windows.get(M1 + "@2026-01-05T06:00:00.000Z");

        assertEquals(2, windows.size());
        assertEquals("2026-01-05T06:01:00.000Z", first.get("window_end").asText());
        assertEquals(2, first.get("event_count").asLong());
        assertEquals(45.0, first.get("avg_temperature_c").asDouble());
        assertEquals(50.0, first.get("max_temperature_c").asDouble());
        assertEquals("2026-01-05T06:00:30.500Z", first.get("first_event_time").asText());
        assertEquals(1, windows.get(M1 + "@2026-01-05T06:01:00.000Z").get("event_count").asLong());
    }

    @Test
    void anEventWithinGraceIsAggregatedAndOneAtTheCloseGoesToTheLateTopic() {
        start();   // window 1 min, grace 5 min: window [06:00, 06:01) closes at stream time 06:06:00.000
        sendEvent(M1, "2026-01-05T06:00:10.000Z", 40.0);
        sendEvent(M1, "2026-01-05T06:05:59.999Z", 40.0);
        sendEvent(M1, "2026-01-05T06:00:20.000Z", 40.0);   // 1 ms before the close: aggregated
        sendEvent(M1, "2026-01-05T06:06:00.000Z", 40.0);
        sendEvent(M1, "2026-01-05T06:00:30.000Z", 40.0);   // at the close: late

        Map<String, JsonNode> windows = latestWindows();
        TestRecord<String, byte[]> lateRecord = late.readRecord();
        JsonNode envelope = json(lateRecord.getValue());

        assertEquals(2, windows.get(M1 + "@2026-01-05T06:00:00.000Z").get("event_count").asLong(),
                "Kafka Streams aggregated the event the router let through (it did not drop it)");
        assertEquals("late_beyond_grace", header(lateRecord, DeadLetters.REASON_HEADER));
        assertEquals("window_admission", envelope.get("stage").asText());
        assertEquals("2026-01-05T06:01:00.000Z", envelope.get("window_end").asText());
        assertEquals("2026-01-05T06:06:00.000Z", envelope.get("stream_time").asText());
        assertEquals("e-5", json(envelope.get("value").asText()).get("event_id").asText());
        assertTrue(late.isEmpty());
    }

    @Test
    void onWindowCloseEmitsEachWindowOnceAfterItsGrace() {
        start(new PreprocessingConfig("in", "machines", "out", "dead", "late", java.time.Duration.ofMinutes(1),
                java.time.Duration.ofMinutes(2), PreprocessingConfig.ON_WINDOW_CLOSE));
        sendEvent(M1, "2026-01-05T06:00:10.000Z", 40.0);
        sendEvent(M1, "2026-01-05T06:00:20.000Z", 50.0);
        sendEvent(M1, "2026-01-05T06:02:59.999Z", 60.0);
        assertTrue(aggregates.isEmpty(), "the 06:00 window is still open (closes at 06:03:00)");

        sendEvent(M1, "2026-01-05T06:03:00.000Z", 70.0);

        List<JsonNode> emitted = aggregates.readValuesToList().stream().map(PreprocessingTopologyTest::json).toList();
        assertEquals(1, emitted.size());
        assertEquals("2026-01-05T06:00:00.000Z", emitted.get(0).get("window_start").asText());
        assertEquals(2, emitted.get(0).get("event_count").asLong());
    }

    @Test
    void theOutputJsonHasExactlyTheDocumentedFields() {
        start();
        sendEvent(M1, "2026-01-05T06:00:01.000Z", 40.0);

        JsonNode window = json(aggregates.readValue());
        TreeSet<String> fields = new TreeSet<>();
        window.fieldNames().forEachRemaining(fields::add);

        assertEquals(new TreeSet<>(List.of("machine_id", "plant_id", "line_id", "machine_type", "site_id",
                "division_id", "manufacturer", "model", "window_start", "window_end", "event_count",
                "unknown_machine_events", "avg_temperature_c", "max_temperature_c", "avg_vibration_mm_s",
                "max_pressure_bar", "first_event_time", "last_event_time")), fields);
        assertTrue(window.get("event_count").isIntegralNumber());
        assertTrue(window.get("avg_temperature_c").isDouble());
    }

    @Test
    void keysStayMachineIdsSoNoRepartitionTopicIsCreated() {
        String description = PreprocessingTopology.build(PreprocessingConfig.defaults()).describe().toString();

        assertFalse(description.contains("repartition"), description);
        assertTrue(description.contains("Sub-topology: 0"));
        assertFalse(description.contains("Sub-topology: 1"), "both topics feed one sub-topology (the join)");
        List<String> stores = new ArrayList<>();
        for (String store : List.of(PreprocessingTopology.METADATA_STORE, LateEventRouter.STORE,
                PreprocessingTopology.AGGREGATE_STORE)) {
            if (description.contains(store)) {
                stores.add(store);
            }
        }
        assertEquals(3, stores.size(), description);
    }
}
