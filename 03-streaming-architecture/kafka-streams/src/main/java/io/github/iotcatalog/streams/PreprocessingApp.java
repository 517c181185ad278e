package io.github.iotcatalog.streams;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * Runs the preprocessing topology until SIGTERM / Ctrl-C.
 *
 * <pre>
 * java -jar target/iot-kafka-streams-preprocessing.jar config/local.properties
 * </pre>
 *
 * <p>Prints each state change as {@code state CREATED -> REBALANCING} on stdout. Exit codes: 0 after
 * a clean shutdown, 1 when Kafka Streams stopped with an error, 2 for a bad command line or config.
 */
public final class PreprocessingApp {

    private PreprocessingApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: java -jar iot-kafka-streams-preprocessing.jar <config.properties>");
            System.exit(2);
        }
        Properties file = new Properties();
        Topology topology;
        Properties streamsProperties;
        try (Reader reader = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
            file.load(reader);
            topology = PreprocessingTopology.build(PreprocessingConfig.fromProperties(file));
            streamsProperties = PreprocessingConfig.streamsProperties(file);
        } catch (IOException | InvalidConfigException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println(topology.describe());

        KafkaStreams streams = new KafkaStreams(topology, streamsProperties);
        CountDownLatch stopped = new CountDownLatch(1);
        streams.setStateListener((newState, oldState) -> {
            System.out.println("state " + oldState + " -> " + newState);
            if (newState == KafkaStreams.State.ERROR || newState == KafkaStreams.State.NOT_RUNNING) {
                stopped.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(exception -> {
            System.err.println("stream thread failed: " + exception);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        Thread shutdown = new Thread(() -> {
            streams.close(Duration.ofSeconds(30));
            stopped.countDown();
        }, "preprocessing-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        streams.start();
        stopped.await();
        if (streams.state() == KafkaStreams.State.ERROR) {
            Runtime.getRuntime().removeShutdownHook(shutdown);
            streams.close(Duration.ofSeconds(30));
            System.exit(1);
        }
    }
}
