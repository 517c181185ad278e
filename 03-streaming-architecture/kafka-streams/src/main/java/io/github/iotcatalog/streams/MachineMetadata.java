package io.github.iotcatalog.streams;

/**
 * Master data of one machine, as published (keyed by machine id) on the compacted metadata topic.
 *
 * <p>Example JSON: {@code {"machine_id":"BER1-L1-M01","plant_id":"BER1","line_id":"BER1-L1",
 * "machine_type":"cnc_mill","site_id":"SITE-BER","division_id":"DIV-EU","manufacturer":"Northmill",
 * "model":"NM-500"}}; the last four fields are optional.
 */
public record MachineMetadata(
        String machineId,
        String plantId,
        String lineId,
        String machineType,
        String siteId,
        String divisionId,
        String manufacturer,
        String model) {
}
