package dev.gantry.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import dev.gantry.proto.ModelConfig;
import dev.gantry.server.affinity.CpuSet;
import dev.gantry.server.affinity.ThreadAffinity;
import dev.gantry.server.config.InstancePlacements.Placement;
import dev.gantry.spi.ModelLoadException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPoliciesTest {
  private static List<Placement> placements(String instanceGroups) throws Exception {
    return InstancePlacements.from(TextFormat.parse(instanceGroups, ModelConfig.class));
  }

  @Test
  void instancesFollowTheirGroupsPolicyOrTheDefaultOfTheirKind() throws Exception {
    List<Placement> placements = placements("""
        instance_group [
          { count: 2 kind: KIND_CPU host_policy: "fast" },
          { kind: KIND_CPU },
          { kind: KIND_GPU gpus: [ 0, 1 ] },
          { kind: KIND_AUTO }
        ]
        """);
    assertEquals(List.of("fast", "fast", "cpu", "gpu_0", "gpu_1", "cpu"),
        placements.stream().map(Placement::hostPolicy).toList());
    assertEquals(List.of(true, true, false, false, false, false),
        placements.stream().map(Placement::policyNamed).toList());
    assertEquals("cpu", InstancePlacements.from(ModelConfig.getDefaultInstance()).get(0)
        .hostPolicy());
  }

  @Test
  void definedPoliciesGiveTheirCoresAndDefaultNamesWithoutOneBindNothing() throws Exception {
    String core = ThreadAffinity.online().toString().replaceAll("[-,].*", "");
    HostPolicies policies = HostPolicies.parse(List.of("fast,cpu-cores=" + core));
    List<Placement> placements = placements("""
        instance_group [ { kind: KIND_CPU host_policy: "fast" }, { kind: KIND_CPU } ]
        """);
    assertEquals(Optional.of(CpuSet.parse(core)), policies.coresFor(placements.get(0)));
    assertEquals(Optional.empty(), policies.coresFor(placements.get(1)));
  }

  @Test
  void aPolicyNamedByAConfigurationButNeverDefinedFailsTheLoad() throws Exception {
    String core = ThreadAffinity.online().toString().replaceAll("[-,].*", "");
    Placement slow = placements("instance_group [ { host_policy: \"slow\" } ]").get(0);
    ModelLoadException e = assertThrows(ModelLoadException.class,
        () -> HostPolicies.parse(List.of("fast,cpu-cores=" + core, "cpu,cpu-cores=" + core))
            .coresFor(slow));
    assertEquals("instance_group host_policy 'slow' is not defined; define it with "
        + "--host-policy slow,cpu-cores=LIST (defined: cpu, fast)", e.getMessage());
    assertEquals("instance_group host_policy 'slow' is not defined; define it with "
            + "--host-policy slow,cpu-cores=LIST",
        assertThrows(ModelLoadException.class, () -> HostPolicies.none().coresFor(slow))
            .getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "cpu;--host-policy 'cpu': expected NAME,cpu-cores=LIST, for example cpu,cpu-cores=0-3",
      ",cpu-cores=0;--host-policy ',cpu-cores=0': expected NAME,cpu-cores=LIST",
      "cpu,0-1;--host-policy 'cpu,0-1': expected NAME,cpu-cores=LIST",
      "cpu,numa-node=0;--host-policy 'cpu,numa-node=0': setting 'numa-node' is not supported; "
          + "Gantry's host policies take cpu-cores (no NUMA memory binding)",
      "cpu,cores=0;--host-policy 'cpu,cores=0': setting 'cores' is not supported; Gantry's host "
          + "policies take cpu-cores",
      "cpu,cpu-cores=3-1;--host-policy 'cpu,cpu-cores=3-1': core range '3-1' ends before it "
          + "starts; write it low-high",
      "' ,cpu-cores=0';--host-policy ' ,cpu-cores=0': the policy needs a name before the comma",
      "cpu,cpu-cores=1023;--host-policy 'cpu': cores 1023 are not online on this machine "
          + "(online: "})
  void badPoliciesAreRefusedAtStartWithTheReason(String value, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HostPolicies.parse(List.of(value)));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void aPolicyIsDefinedOnce() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HostPolicies.parse(List.of("cpu,cpu-cores=0", "cpu,cpu-cores=0")));
    assertEquals("--host-policy 'cpu,cpu-cores=0': policy 'cpu' already sets cpu-cores",
        e.getMessage());
  }

  @Test
  void coreListsKeepTheirCommas() throws Exception {
    String online = ThreadAffinity.online().toString();
    String first = online.replaceAll("[-,].*", "");
    String last = online.replaceAll(".*[-,]", "");
    HostPolicies policies = HostPolicies.parse(List.of("cpu,cpu-cores=" + first + "," + last));
    assertEquals(Optional.of(CpuSet.parse(first + "," + last)),
        policies.coresFor(placements("instance_group [ { kind: KIND_CPU } ]").get(0)));
  }
}
