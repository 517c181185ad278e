package io.github.iotcatalog.streams;

/**
 * The running totals of one machine's window, kept in the window store (JSON via {@link JsonSerde}).
 * Immutable: {@link #add} returns a new aggregate. Sums and counts (not averages) are stored so
 * that absent metrics do not distort the averages.
 *
 * <p>Example: {@code MachineMinuteAggregate.empty().add(enriched).eventCount()} is 1.
 */
public record MachineMinuteAggregate(
        String machineId,
        String plantId,
        String lineId,
        String machineType,
        String siteId,
        String divisionId,
        String manufacturer,
        String model,
        long eventCount,
        long unknownMachineEvents,
        long temperatureCount,
        double temperatureSum,
        Double temperatureMax,
        long vibrationCount,
        double vibrationSum,
        Double pressureMax,
        long firstEventTimeMs,
        long lastEventTimeMs) {

    public static MachineMinuteAggregate empty() {
        return new MachineMinuteAggregate(null, null, null, null, null, null, null, null, 0, 0, 0, 0.0, null,
                0, 0.0, null, Long.MAX_VALUE, Long.MIN_VALUE);
    }

    /** Adds one event; descriptive columns come from the latest metadata, else from the event itself. */
    public MachineMinuteAggregate add(EnrichedEvent enriched) {
        SensorEvent event = enriched.event();
        MachineMetadata metadata = enriched.metadata();
        boolean known = metadata != null;
        Double temperature = event.temperatureC();
        Double vibration = event.vibrationMmS();
        Double pressure = event.pressureBar();
        long eventTimeMs = event.eventTime().toEpochMilli();
        return new MachineMinuteAggregate(
                event.machineId(),
                known && metadata.plantId() != null ? metadata.plantId() : event.plantId(),
                known ? metadata.lineId() : event.lineId(),
                known ? metadata.machineType() : event.machineType(),
                known ? metadata.siteId() : siteId,
                known ? metadata.divisionId() : divisionId,
                known ? metadata.manufacturer() : manufacturer,
                known ? metadata.model() : model,
                eventCount + 1,
                unknownMachineEvents + (known ? 0 : 1),
                temperatureCount + (temperature == null ? 0 : 1),
                temperatureSum + (temperature == null ? 0.0 : temperature),
                max(temperatureMax, temperature),
                vibrationCount + (vibration == null ? 0 : 1),
                vibrationSum + (vibration == null ? 0.0 : vibration),
                max(pressureMax, pressure),
                Math.min(firstEventTimeMs, eventTimeMs),
                Math.max(lastEventTimeMs, eventTimeMs));
    }

    private static Double max(Double current, Double candidate) {
        if (candidate == null) {
            return current;
        }
        return current == null ? candidate : Math.max(current, candidate);
    }
}
