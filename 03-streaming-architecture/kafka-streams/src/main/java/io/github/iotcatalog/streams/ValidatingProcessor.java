package io.github.iotcatalog.streams;

import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Processor API v2 step that validates raw bytes and routes each record: valid ones go on (with
 * their event time as record timestamp when {@code eventTimeOf} is given), invalid ones are turned
 * into a dead-letter envelope with the reason in the envelope and in a header. Nothing is dropped.
 *
 * <p>It never changes the key, so it runs under {@code processValues()} and needs no repartition.
 *
 * <p>Example: {@code stream.processValues(() -> ValidatingProcessor.forSensorEvents(validator))}.
 *
 * @param <T> the parsed value's type
 */
public final class ValidatingProcessor<T> implements FixedKeyProcessor<String, byte[], Routed<T>> {

    /** Validates one record's key and value. */
    @FunctionalInterface
    public interface Check<T> {
        ValidationResult<T> validate(String key, byte[] value);
    }

    public static final String EVENT_STAGE = "validate_event";
    public static final String METADATA_STAGE = "validate_machine_metadata";

    private final Check<T> check;
    private final String stage;
    private final boolean tombstonesAllowed;
    private final ToLongFunction<T> eventTimeOf;
    private FixedKeyProcessorContext<String, Routed<T>> context;

    private ValidatingProcessor(Check<T> check, String stage, boolean tombstonesAllowed,
                                ToLongFunction<T> eventTimeOf) {
        this.check = check;
        this.stage = stage;
        this.tombstonesAllowed = tombstonesAllowed;
        this.eventTimeOf = eventTimeOf;
    }

    /** Sensor events: the record timestamp becomes the payload's {@code event_time}. */
    public static ValidatingProcessor<SensorEvent> forSensorEvents(EventValidator validator) {
        return new ValidatingProcessor<>(validator::validate, EVENT_STAGE, false,
                event -> event.eventTime().toEpochMilli());
    }

    /** Machine metadata: a {@code null} value is a tombstone and passes as {@code Accepted(null)}. */
    public static ValidatingProcessor<MachineMetadata> forMachineMetadata(MachineMetadataValidator validator) {
        return new ValidatingProcessor<>(validator::validate, METADATA_STAGE, true, null);
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Routed<T>> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
        if (record.value() == null && tombstonesAllowed) {
            context.forward(record.withValue(new Routed.Accepted<>(null)));
            return;
        }
        ValidationResult<T> result = check.validate(record.key(), record.value());
        if (result instanceof ValidationResult.Valid<T> valid) {
            FixedKeyRecord<String, Routed<T>> accepted = record.withValue(new Routed.Accepted<>(valid.value()));
            context.forward(eventTimeOf == null ? accepted
                    : accepted.withTimestamp(eventTimeOf.applyAsLong(valid.value())));
            return;
        }
        String reason = ((ValidationResult.Rejected<T>) result).reason();
        byte[] envelope = DeadLetters.envelope(reason, stage, context.recordMetadata(), record.key(),
                record.value(), record.timestamp(), Map.of());
        context.forward(record.withValue((Routed<T>) new Routed.Diverted<T>(reason, envelope))
                .withHeaders(DeadLetters.headers(record.headers(), reason, stage)));
    }
}
