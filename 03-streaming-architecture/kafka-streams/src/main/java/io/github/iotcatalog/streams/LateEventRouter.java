package io.github.iotcatalog.streams;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Routes events whose one-minute window has already closed to the late topic instead of letting
 * the windowed aggregation drop them silently (Kafka Streams only logs and counts such drops in the
 * {@code dropped-records} metric).
 *
 * <p>The rule is the aggregation's own: with {@code streamTime} the highest event time this task
 * has seen, an event is late when {@code windowEnd + grace <= streamTime}. The highest event time is
 * kept in a persistent state store (changelogged, so a restarted or migrated task routes the same
 * way). Every event this router lets through is therefore aggregated: the sum of {@code event_count}
 * equals the events accepted here.
 *
 * <p>Example: window 1 min, grace 5 min, stream time 06:10:00: an event of 06:04:30 (window ends
 * 06:05:00, closes 06:10:00) is late; one of 06:05:00 is aggregated.
 */
public final class LateEventRouter implements FixedKeyProcessor<String, EnrichedEvent, Routed<EnrichedEvent>> {

    public static final String STORE = "event-time-high-watermark";
    public static final String STAGE = "window_admission";
    public static final String REASON = "late_beyond_grace";
    private static final String STREAM_TIME_KEY = "max_event_time_ms";

    private final long windowSizeMs;
    private final long graceMs;
    private FixedKeyProcessorContext<String, Routed<EnrichedEvent>> context;
    private KeyValueStore<String, Long> highWatermark;

    LateEventRouter(Duration windowSize, Duration grace) {
        this.windowSizeMs = windowSize.toMillis();
        this.graceMs = grace.toMillis();
    }

    /** The supplier, which also declares (and so connects) the router's state store. */
    public static FixedKeyProcessorSupplier<String, EnrichedEvent, Routed<EnrichedEvent>> supplier(
            Duration windowSize, Duration grace) {
        return new FixedKeyProcessorSupplier<>() {
            @Override
            public FixedKeyProcessor<String, EnrichedEvent, Routed<EnrichedEvent>> get() {
                return new LateEventRouter(windowSize, grace);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.Long()));
            }
        };
    }

    /** Start of the tumbling window holding {@code eventTimeMs} (epoch-aligned, like Kafka Streams and Spark). */
    public static long windowStart(long eventTimeMs, long windowSizeMs) {
        return eventTimeMs - Math.floorMod(eventTimeMs, windowSizeMs);
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Routed<EnrichedEvent>> context) {
        this.context = context;
        this.highWatermark = context.getStateStore(STORE);
    }

    @Override
    public void process(FixedKeyRecord<String, EnrichedEvent> record) {
        long eventTimeMs = record.timestamp();
        Long seen = highWatermark.get(STREAM_TIME_KEY);
        if (seen == null || eventTimeMs > seen) {
            highWatermark.put(STREAM_TIME_KEY, eventTimeMs);
        }
        long streamTimeMs = seen == null ? eventTimeMs : Math.max(seen, eventTimeMs);
        long windowStart = windowStart(eventTimeMs, windowSizeMs);
        long windowEnd = windowStart + windowSizeMs;
        if (windowEnd + graceMs > streamTimeMs) {
            context.forward(record.withValue(new Routed.Accepted<>(record.value())));
            return;
        }
        Map<String, Object> window = new LinkedHashMap<>();
        window.put("event_id", record.value().event().eventId());
        window.put("event_time", Json.formatEpochMillis(eventTimeMs));
        window.put("window_start", Json.formatEpochMillis(windowStart));
        window.put("window_end", Json.formatEpochMillis(windowEnd));
        window.put("stream_time", Json.formatEpochMillis(streamTimeMs));
        window.put("grace_ms", graceMs);
        byte[] raw = record.value().event().rawJson().getBytes(StandardCharsets.UTF_8);
        byte[] envelope = DeadLetters.envelope(REASON, STAGE, context.recordMetadata(), record.key(), raw,
                record.timestamp(), window);
        context.forward(record.withValue((Routed<EnrichedEvent>) new Routed.Diverted<EnrichedEvent>(REASON, envelope))
                .withHeaders(DeadLetters.headers(record.headers(), REASON, STAGE)));
    }
}
