package io.github.iotcatalog.streams;

import static io.github.iotcatalog.streams.SensorJson.bytes;
import static io.github.iotcatalog.streams.SensorJson.metadata;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MachineMetadataValidatorTest {

    private final MachineMetadataValidator validator = new MachineMetadataValidator();

    @Test
    void aPlantHierarchyRowIsValid() {
        ValidationResult<MachineMetadata> result =
                validator.validate("BER1-L1-M01", bytes(metadata("BER1-L1-M01", "BER1-L1", "cnc_mill")));

        MachineMetadata machine = (MachineMetadata) assertInstanceOf(ValidationResult.Valid.class, result).value();
        assertEquals("BER1-L1", machine.lineId());
        assertEquals("Northmill", machine.manufacturer());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not JSON           | {\"machine_id\":                                           | malformed_json",
        "a JSON string      | \"BER1-L1-M01\"                                            | not_a_json_object",
        "no machine_id      | {\"line_id\":\"BER1-L1\",\"machine_type\":\"press\"}       | missing_machine_id",
        "another machine    | {\"machine_id\":\"BER1-L1-M02\",\"line_id\":\"BER1-L1\",\"machine_type\":\"press\"} | key_does_not_match_machine_id",
        "no line_id         | {\"machine_id\":\"BER1-L1-M01\",\"machine_type\":\"press\"} | missing_line_id",
        "no machine_type    | {\"machine_id\":\"BER1-L1-M01\",\"line_id\":\"BER1-L1\"}    | missing_machine_type",
    })
    void anInvalidRowIsRejected(String description, String payload, String reason) {
        ValidationResult<MachineMetadata> result = validator.validate("BER1-L1-M01", bytes(payload));
        assertEquals(reason, assertInstanceOf(ValidationResult.Rejected.class, result).reason(), description);
    }
}
