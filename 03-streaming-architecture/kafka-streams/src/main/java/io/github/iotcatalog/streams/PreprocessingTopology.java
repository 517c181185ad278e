package io.github.iotcatalog.streams;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The preprocessing topology: validate, enrich, window, emit JSON for Spark.
 *
 * <pre>
 * metadata topic --validate--+--> KTable "machine-metadata" ------------------+
 *                            +--> dead-letter topic (stage validate_machine_metadata)
 * events topic ---validate---+--> leftJoin(KTable) --> route late --+--> 1-min windows (grace) --> output topic (JSON)
 *                            |                                     +--> late topic (late_beyond_grace)
 *                            +--> dead-letter topic (stage validate_event)
 * </pre>
 *
 * <p>Every input record ends in exactly one place: an aggregate's {@code event_count}, the
 * dead-letter topic, or the late topic. Keys are machine ids end to end, so no repartition topic
 * is created; the events and metadata topics must have the same partition count (co-partitioning).
 *
 * <p>Example: {@code new KafkaStreams(PreprocessingTopology.build(PreprocessingConfig.defaults()), props)}.
 */
public final class PreprocessingTopology {

    public static final String METADATA_STORE = "machine-metadata";
    public static final String AGGREGATE_STORE = "machine-minute-aggregates";

    private PreprocessingTopology() {
    }

    public static Topology build(PreprocessingConfig config) {
        StreamsBuilder builder = new StreamsBuilder();
        Serde<String> keys = Serdes.String();
        Serde<byte[]> bytes = Serdes.ByteArray();

        Map<String, KStream<String, Routed<MachineMetadata>>> metadata = builder
                .stream(config.metadataTopic(), Consumed.with(keys, bytes).withName("machine-metadata-source"))
                .processValues(() -> ValidatingProcessor.forMachineMetadata(new MachineMetadataValidator()),
                        Named.as("validate-machine-metadata"))
                .split(Named.as("machine-metadata-"))
                .branch((key, routed) -> Routed.isAccepted(routed), Branched.as("accepted"))
                .defaultBranch(Branched.as("dead-letter"));
        KTable<String, MachineMetadata> machines = metadata.get("machine-metadata-accepted")
                .mapValues(Routed::acceptedValue, Named.as("unwrap-machine-metadata"))
                .toTable(Named.as("machine-metadata-table"),
                        Materialized.<String, MachineMetadata, KeyValueStore<Bytes, byte[]>>as(METADATA_STORE)
                                .withKeySerde(keys).withValueSerde(JsonSerde.of(MachineMetadata.class)));
        metadata.get("machine-metadata-dead-letter")
                .mapValues(Routed::envelope, Named.as("machine-metadata-envelope"))
                .to(config.deadLetterTopic(), Produced.with(keys, bytes).withName("machine-metadata-dead-letter-sink"));

        Map<String, KStream<String, Routed<SensorEvent>>> events = builder
                .stream(config.inputTopic(), Consumed.with(keys, bytes).withName("sensor-events-source"))
                .processValues(() -> ValidatingProcessor.forSensorEvents(new EventValidator(MetricRange.SENSOR_DEFAULTS)),
                        Named.as("validate-sensor-events"))
                .split(Named.as("sensor-events-"))
                .branch((key, routed) -> Routed.isAccepted(routed), Branched.as("accepted"))
                .defaultBranch(Branched.as("dead-letter"));
        events.get("sensor-events-dead-letter")
                .mapValues(Routed::envelope, Named.as("sensor-events-envelope"))
                .to(config.deadLetterTopic(), Produced.with(keys, bytes).withName("sensor-events-dead-letter-sink"));

        Map<String, KStream<String, Routed<EnrichedEvent>>> admitted = events.get("sensor-events-accepted")
                .mapValues(Routed::acceptedValue, Named.as("unwrap-sensor-events"))
                .leftJoin(machines, EnrichedEvent::new)
                .processValues(LateEventRouter.supplier(config.windowSize(), config.grace()),
                        Named.as("route-late-events"))
                .split(Named.as("window-"))
                .branch((key, routed) -> Routed.isAccepted(routed), Branched.as("on-time"))
                .defaultBranch(Branched.as("late"));
        admitted.get("window-late")
                .mapValues(Routed::envelope, Named.as("late-envelope"))
                .to(config.lateTopic(), Produced.with(keys, bytes).withName("late-events-sink"));

        admitted.get("window-on-time")
                .mapValues(Routed::acceptedValue, Named.as("unwrap-on-time-events"))
                .groupByKey(Grouped.<String, EnrichedEvent>as("machine-minute").withKeySerde(keys))
                .windowedBy(TimeWindows.ofSizeAndGrace(config.windowSize(), config.grace()))
                .emitStrategy(config.emitStrategy())
                .aggregate(MachineMinuteAggregate::empty, (machineId, event, total) -> total.add(event),
                        Named.as("aggregate-machine-minute"),
                        Materialized.<String, MachineMinuteAggregate, WindowStore<Bytes, byte[]>>as(AGGREGATE_STORE)
                                .withKeySerde(keys)
                                .withValueSerde(JsonSerde.of(MachineMinuteAggregate.class))
                                .withRetention(config.windowSize().plus(config.grace())))
                .toStream(Named.as("machine-minute-updates"))
                .filter((window, total) -> total != null, Named.as("skip-window-tombstones"))
                .map((window, total) -> KeyValue.pair(window.key(), MachineMinuteJson.render(window, total)),
                        Named.as("render-machine-minute-json"))
                .to(config.outputTopic(), Produced.with(keys, Serdes.String()).withName("machine-minute-sink"));
        return builder.build();
    }
}
