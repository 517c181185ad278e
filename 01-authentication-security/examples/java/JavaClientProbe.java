// Run by examples/capture_error_texts.py with `java -cp <kafka-clients and slf4j jars> JavaClientProbe.java <props> [topic]`
// (Java 11+ runs a single source file directly). Prints OK, or the exception chain the Java client
// (the one inside Spark's Kafka source) raises, one "class: message" line per cause.
import java.io.FileReader;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;

public class JavaClientProbe {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        try (FileReader in = new FileReader(args[0])) {
            props.load(in);
        }
        props.putIfAbsent("request.timeout.ms", "5000");
        props.putIfAbsent("default.api.timeout.ms", "8000");
        try (Admin admin = Admin.create(props)) {
            if (args.length > 1) {
                admin.describeTopics(List.of(args[1])).allTopicNames().get();
            } else {
                admin.describeCluster().clusterId().get();
            }
            System.out.println("OK");
        } catch (Exception error) {
            for (Throwable cause = error; cause != null; cause = cause.getCause()) {
                System.out.println(cause.getClass().getName() + ": " + cause.getMessage());
            }
            System.exit(1);
        }
    }
}
