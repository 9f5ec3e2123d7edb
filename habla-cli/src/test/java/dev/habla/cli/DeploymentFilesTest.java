package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The gateway's deployment example (habla-gateway/deploy: Dockerfile, compose.yaml, haproxy.cfg) stays true to the
 * code: every environment variable it sets is one {@code habla gateway} reads, the image runs the real entry point as a
 * non-root user, and the load balancer checks the health path on the port the nodes listen on.
 */
class DeploymentFilesTest {
    static final Path DEPLOY = Path.of("..", "habla-gateway", "deploy");

    @Test
    void composeSetsOnlyVariablesTheGatewayReads() throws Exception {
        String compose = Files.readString(DEPLOY.resolve("compose.yaml"));
        Set<String> set = new LinkedHashSet<>();
        boolean inEnv = false;
        for (String line : compose.lines().toList()) {
            if (line.strip().equals("environment:")) {
                inEnv = true;
                continue;
            }
            Matcher m = Pattern.compile("^\\s{4}([A-Z_]+):").matcher(line);
            if (inEnv && m.find()) {
                set.add(m.group(1));
            } else if (inEnv && !line.isBlank()) {
                inEnv = false;
            }
        }
        assertThat(set).contains("HABLA_REDIS_URL", "HABLA_ADMIN_KEY", "GEMINI_API_KEY");
        assertThat(GatewayCommand.ENV).containsAll(set);
        // Both nodes are built from the Dockerfile next to it, and the balancer's config is the file next to it.
        assertThat(compose).contains("dockerfile: habla-gateway/deploy/Dockerfile").contains("./haproxy.cfg:")
                .contains("gateway-1: *gateway").contains("gateway-2: *gateway");
    }

    @Test
    void imageIsMultiStageNonRootAndRunsTheGatewayCommand() throws Exception {
        String docker = Files.readString(DEPLOY.resolve("Dockerfile"));
        assertThat(docker.lines().filter(l -> l.startsWith("FROM ")).count()).isEqualTo(2);
        assertThat(docker).containsPattern("(?m)^USER 10001$").contains("useradd --system --uid 10001");
        Matcher env = Pattern.compile("(?m)^(?:ENV|    )\\s*([A-Z_]+)=").matcher(docker);
        List<String> vars = new ArrayList<>();
        while (env.find()) {
            vars.add(env.group(1));
        }
        assertThat(vars).containsExactly("HABLA_HOST", "HABLA_PORT");
        assertThat(GatewayCommand.ENV).containsAll(vars);
        Matcher entry = Pattern.compile("ENTRYPOINT \\[.*\"(dev\\.habla\\.cli\\.[A-Za-z]+)\", \"([a-z]+)\"\\]").matcher(docker);
        assertThat(entry.find()).isTrue();
        assertThat(entry.group(1)).isEqualTo(Main.class.getName());
        assertThat(Main.commandLine(CliContext.system(), false).getSubcommands()).containsKey(entry.group(2));
        // The module the image builds exists, and the jar name it copies is this module's.
        assertThat(docker).contains("-pl habla-cli -am install").contains("cp habla-cli/target/habla-cli-*.jar");
        assertThat(Path.of("pom.xml")).content().contains("<artifactId>habla-cli</artifactId>");
    }

    @Test
    void balancerChecksHealthOnTheNodesPort() throws Exception {
        String haproxy = Files.readString(DEPLOY.resolve("haproxy.cfg"));
        String docker = Files.readString(DEPLOY.resolve("Dockerfile"));
        Matcher port = Pattern.compile("HABLA_PORT=(\\d+)").matcher(docker);
        assertThat(port.find()).isTrue();
        assertThat(haproxy).contains("option httpchk GET /healthz")
                .contains("server gateway-1 gateway-1:" + port.group(1) + " check")
                .contains("server gateway-2 gateway-2:" + port.group(1) + " check");
    }
}
