package io.github.iotcatalog.streams;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Objects;

/**
 * Checks one record of the machine-metadata topic. Reasons: {@code malformed_json},
 * {@code not_a_json_object}, {@code missing_machine_id}, {@code key_does_not_match_machine_id},
 * {@code missing_line_id}, {@code missing_machine_type}. A {@code null} value is a tombstone (the
 * machine was retired) and is valid: the caller deletes the machine from the table.
 *
 * <p>Example: {@code new MachineMetadataValidator().validate("M1", "{}".getBytes(UTF_8))} is
 * {@code Rejected("missing_machine_id")}.
 */
public final class MachineMetadataValidator {

    public ValidationResult<MachineMetadata> validate(String key, byte[] value) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(value);
        } catch (IOException e) {
            return new ValidationResult.Rejected<>("malformed_json");
        }
        if (node == null || !node.isObject()) {
            return new ValidationResult.Rejected<>("not_a_json_object");
        }
        String machineId = EventValidator.text(node, "machine_id");
        if (machineId == null) {
            return new ValidationResult.Rejected<>("missing_machine_id");
        }
        if (!Objects.equals(key, machineId)) {
            return new ValidationResult.Rejected<>("key_does_not_match_machine_id");
        }
        String lineId = EventValidator.text(node, "line_id");
        if (lineId == null) {
            return new ValidationResult.Rejected<>("missing_line_id");
        }
        String machineType = EventValidator.text(node, "machine_type");
        if (machineType == null) {
            return new ValidationResult.Rejected<>("missing_machine_type");
        }
        return new ValidationResult.Valid<>(new MachineMetadata(
                machineId, EventValidator.text(node, "plant_id"), lineId, machineType,
                EventValidator.text(node, "site_id"), EventValidator.text(node, "division_id"),
                EventValidator.text(node, "manufacturer"), EventValidator.text(node, "model")));
    }
}
