package io.github.iotcatalog.streams;

import java.util.List;

/**
 * The physically possible range of one sensor metric, bounds inclusive.
 *
 * <p>Example: {@code new MetricRange("temperature_c", -40, 400).contains(9999.0)} is false.
 */
public record MetricRange(String metric, double min, double max) {

    /** The ranges of the catalog's sensor events (same bounds as the Python silver layer of this folder). */
    public static final List<MetricRange> SENSOR_DEFAULTS = List.of(
            new MetricRange("temperature_c", -40.0, 400.0),
            new MetricRange("vibration_mm_s", 0.0, 100.0),
            new MetricRange("pressure_bar", 0.0, 400.0),
            new MetricRange("spindle_speed_rpm", 0.0, 30000.0));

    public boolean contains(double value) {
        return value >= min && value <= max;
    }
}
