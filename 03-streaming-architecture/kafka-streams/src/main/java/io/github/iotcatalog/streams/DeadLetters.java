package io.github.iotcatalog.streams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The envelope and headers of a record that leaves the main flow (dead-letter or late topic).
 *
 * <p>Envelope (JSON): {@code reason}, {@code stage}, {@code source_topic}, {@code source_partition},
 * {@code source_offset}, {@code source_timestamp}, {@code key}, {@code value} (the original payload as
 * text, or Base64 when it is not valid UTF-8), {@code value_encoding} ({@code utf8} / {@code base64}),
 * plus stage-specific fields. Headers: {@value #REASON_HEADER} and {@value #STAGE_HEADER}; the
 * original headers are kept. Together they let an operator replay the exact bytes to the source topic.
 *
 * <p>Example envelope: {@code {"reason":"malformed_json","stage":"validate_event",
 * "source_topic":"iot.sensor-events","source_partition":0,"source_offset":17,...}}.
 */
public final class DeadLetters {

    public static final String REASON_HEADER = "dead_letter.reason";
    public static final String STAGE_HEADER = "dead_letter.stage";

    private DeadLetters() {
    }

    public static byte[] envelope(String reason, String stage, Optional<RecordMetadata> source, String key,
                                  byte[] value, long sourceTimestampMs, Map<String, Object> extra) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("reason", reason);
        node.put("stage", stage);
        node.put("source_topic", source.map(RecordMetadata::topic).orElse(null));
        if (source.isPresent()) {
            node.put("source_partition", source.get().partition());
            node.put("source_offset", source.get().offset());
        } else {
            node.putNull("source_partition");
            node.putNull("source_offset");
        }
        node.put("source_timestamp", Json.formatEpochMillis(sourceTimestampMs));
        node.put("key", key);
        String text = value == null ? null : utf8OrNull(value);
        if (value == null) {
            node.putNull("value");
            node.putNull("value_encoding");
        } else if (text != null) {
            node.put("value", text);
            node.put("value_encoding", "utf8");
        } else {
            node.put("value", Base64.getEncoder().encodeToString(value));
            node.put("value_encoding", "base64");
        }
        extra.forEach((name, fieldValue) -> node.set(name, Json.MAPPER.valueToTree(fieldValue)));
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an ObjectNode of strings and numbers always serializes", e);
        }
    }

    /** A copy of {@code original} with the reason and stage headers set (replacing earlier ones). */
    public static Headers headers(Headers original, String reason, String stage) {
        RecordHeaders headers = new RecordHeaders(original.toArray());
        headers.remove(REASON_HEADER);
        headers.remove(STAGE_HEADER);
        headers.add(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(STAGE_HEADER, stage.getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    private static String utf8OrNull(byte[] value) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
