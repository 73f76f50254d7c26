package dev.gantry.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The plain Kubernetes manifests: each binds strictly to the Kubernetes API model, and together
 * they make a rolling update that drops no request.
 */
class KubernetesManifestsTest {
  private final Deployment deployment =
      Manifests.strict("kubernetes/deployment.yaml", Deployment.class);
  private final Container gantry = deployment.getSpec().getTemplate().getSpec().getContainers()
      .get(0);
  private final Map<String, String> podLabels =
      deployment.getSpec().getTemplate().getMetadata().getLabels();

  @Test
  void strictBindingRejectsAFieldTheModelDoesNotDefine() {
    ObjectNode tree = Manifests.tree("kubernetes/deployment.yaml").deepCopy();
    ((ObjectNode) tree.path("spec").path("template").path("spec").path("containers").get(0)
        .path("readinessProbe").path("grpc")).put("path", "/healthz");
    AssertionFailedError error = assertThrows(AssertionFailedError.class,
        () -> Manifests.strict(tree, Deployment.class, "edited deployment"));
    assertTrue(error.getMessage().contains("GRPCAction does not define: [path]"),
        error.getMessage());
  }

  @Test
  void probesAskGrpcHealthOnTheGrpcPort() {
    for (Probe probe : new Probe[] {
        gantry.getStartupProbe(), gantry.getReadinessProbe(), gantry.getLivenessProbe()}) {
      assertEquals(8001, probe.getGrpc().getPort());
    }
    assertEquals("inference.GRPCInferenceService", gantry.getReadinessProbe().getGrpc()
        .getService());
    assertEquals("inference.GRPCInferenceService", gantry.getStartupProbe().getGrpc()
        .getService());
    assertEquals(8001, containerPort("grpc"));
    assertEquals(8000, containerPort("http"));
    assertEquals("8000", argument("--http-port"));
    assertEquals(8002, containerPort("metrics"));
  }

  @Test
  void gracePeriodCoversPreStopAndTheServersExitTimeout() {
    long preStop = gantry.getLifecycle().getPreStop().getSleep().getSeconds();
    long exitTimeout = Long.parseLong(argument("--exit-timeout-secs"));
    long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
    assertTrue(grace > preStop + exitTimeout,
        "grace " + grace + " s must exceed preStop " + preStop + " s + exit timeout "
            + exitTimeout + " s, or the kubelet kills requests still draining");
    Probe liveness = gantry.getLivenessProbe();
    assertTrue(liveness.getPeriodSeconds() * liveness.getFailureThreshold() >= grace,
        "a draining server answers no probe: liveness must not fail within the grace period");
    assertEquals("/mnt/models", argument("--model-repository"));
    assertEquals(0, deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()
        .getIntVal());
  }

  @Test
  void headlessServiceSelectsThePods() {
    Service service = Manifests.strict("kubernetes/service.yaml", Service.class);
    assertEquals("None", service.getSpec().getClusterIP());
    assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()));
    assertEquals("grpc", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    assertEquals(8001, service.getSpec().getPorts().get(0).getPort());
  }

  @Test
  void autoscalerTargetsTheDeploymentOnPendingRequests() {
    HorizontalPodAutoscaler hpa =
        Manifests.strict("kubernetes/hpa.yaml", HorizontalPodAutoscaler.class);
    assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
    assertEquals(deployment.getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName());
    assertEquals("gantry_pending_requests",
        hpa.getSpec().getMetrics().get(0).getPods().getMetric().getName());
    assertTrue(hpa.getSpec().getMinReplicas() <= deployment.getSpec().getReplicas());
  }

  @Test
  void disruptionBudgetCoversThePods() {
    PodDisruptionBudget pdb =
        Manifests.strict("kubernetes/pdb.yaml", PodDisruptionBudget.class);
    assertTrue(podLabels.entrySet()
        .containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));
    assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal());
    assertNull(pdb.getSpec().getMinAvailable());
  }

  private int containerPort(String name) {
    return gantry.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
        .orElseThrow().getContainerPort();
  }

  private String argument(String option) {
    return gantry.getArgs().stream().filter(a -> a.startsWith(option + "=")).findFirst()
        .orElseThrow(() -> new AssertionError("no " + option + " in " + gantry.getArgs()))
        .substring(option.length() + 1);
  }
}
