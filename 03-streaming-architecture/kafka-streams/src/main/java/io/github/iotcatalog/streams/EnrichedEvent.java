package io.github.iotcatalog.streams;

/**
 * A valid event joined with its machine's metadata; {@code metadata} is {@code null} when the
 * metadata table has no row for the machine (status {@value #UNKNOWN_MACHINE}): such events are
 * kept and counted, never dropped.
 */
public record EnrichedEvent(SensorEvent event, MachineMetadata metadata) {

    public static final String ENRICHED = "enriched";
    public static final String UNKNOWN_MACHINE = "unknown_machine";

    public String metadataStatus() {
        return metadata == null ? UNKNOWN_MACHINE : ENRICHED;
    }
}
