package dev.gantry.server.transport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.gantry.proto.LogSettingsRequest;
import dev.gantry.proto.LogSettingsResponse;
import dev.gantry.server.error.InvalidArgumentException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * The LogSettings RPC: reads and changes log levels while the server runs, with Triton's setting
 * names mapped onto the logging backend.
 *
 * <ul>
 *   <li>{@code log_error}, {@code log_warning}, {@code log_info} (bool): which of those levels the
 *       server logs; the most detailed one enabled becomes the root level (none: logging off);
 *   <li>{@code log_verbose_level} (uint32): 0 leaves Gantry's own loggers at the root level, 1
 *       turns on DEBUG for {@code dev.gantry} (one line per inference request among others), 2 and
 *       more TRACE;
 *   <li>{@code logger:<name>} (string): Gantry's addition, the level of one logger, e.g. {@code
 *       logger:dev.gantry.server.scheduler} = {@code DEBUG}.
 * </ul>
 *
 * <p>{@code log_file} and {@code log_format} are Triton's, but the log file and format are set by
 * the logging configuration here, so asking to change them is refused with INVALID_ARGUMENT.
 *
 * <p>Logback is the distribution's backend but an optional dependency: an application embedding
 * the server may log through another one, and then this class is never loaded.
 */
final class LogSettingsCalls {
  private static final String GANTRY = "dev.gantry";
  private static final String LOGGER_PREFIX = "logger:";
  private static final String LOGBACK_CONTEXT = "ch.qos.logback.classic.LoggerContext";

  private final LoggerContext context;

  private LogSettingsCalls(LoggerContext context) {
    this.context = context;
  }

  /** The calls when logback is the slf4j backend in use; empty for any other backend. */
  static Optional<LogSettingsCalls> ifLogback() {
    Object factory = LoggerFactory.getILoggerFactory();
    return factory.getClass().getName().equals(LOGBACK_CONTEXT)
        ? Optional.of(new LogSettingsCalls((LoggerContext) factory))
        : Optional.empty();
  }

  /**
   * Applies the settings of a request, all or none: every setting is checked before any level
   * changes.
   */
  LogSettingsResponse apply(LogSettingsRequest request) {
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    boolean error = enabled(root, Level.ERROR);
    boolean warning = enabled(root, Level.WARN);
    boolean info = enabled(root, Level.INFO);
    boolean levelsChanged = false;
    Map<Logger, Level> changes = new LinkedHashMap<>();
    for (Map.Entry<String, LogSettingsRequest.SettingValue> setting
        : request.getSettingsMap().entrySet()) {
      String name = setting.getKey();
      LogSettingsRequest.SettingValue value = setting.getValue();
      switch (name) {
        case "log_error" -> {
          error = bool(name, value);
          levelsChanged = true;
        }
        case "log_warning" -> {
          warning = bool(name, value);
          levelsChanged = true;
        }
        case "log_info" -> {
          info = bool(name, value);
          levelsChanged = true;
        }
        case "log_verbose_level" -> changes.put(context.getLogger(GANTRY), verbose(value));
        case "log_file", "log_format" -> throw new InvalidArgumentException(
            "setting '" + name + "' is fixed by the logging configuration (gantry-logback.xml) and "
                + "cannot be changed at run time");
        default -> changes.put(existingLogger(name), level(name, value));
      }
    }
    changes.forEach(Logger::setLevel);
    if (levelsChanged) {
      root.setLevel(info ? Level.INFO : warning ? Level.WARN : error ? Level.ERROR : Level.OFF);
    }
    return current();
  }

  /** The logger a {@code logger:<name>} setting names; only loggers the server has are allowed. */
  private Logger existingLogger(String setting) {
    String name = setting.startsWith(LOGGER_PREFIX) ? setting.substring(LOGGER_PREFIX.length()) : "";
    if (!setting.startsWith(LOGGER_PREFIX)) {
      throw new InvalidArgumentException("unknown setting '" + setting + "'; expected "
          + "log_error, log_warning, log_info, log_verbose_level or logger:<name>");
    }
    Logger logger = name.isEmpty() ? null : context.exists(name);
    if (logger == null) {
      throw new InvalidArgumentException("setting '" + setting + "': the server has no logger "
          + "named '" + name + "' (loggers are named by package or class, e.g. dev.gantry.server)");
    }
    return logger;
  }

  private LogSettingsResponse current() {
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level gantry = context.getLogger(GANTRY).getEffectiveLevel();
    int verbose = gantry.toInt() <= Level.TRACE_INT ? 2 : gantry.toInt() <= Level.DEBUG_INT ? 1 : 0;
    LogSettingsResponse.Builder response = LogSettingsResponse.newBuilder()
        .putSettings("log_error", boolValue(enabled(root, Level.ERROR)))
        .putSettings("log_warning", boolValue(enabled(root, Level.WARN)))
        .putSettings("log_info", boolValue(enabled(root, Level.INFO)))
        .putSettings("log_verbose_level",
            LogSettingsResponse.SettingValue.newBuilder().setUint32Param(verbose).build());
    for (Logger logger : context.getLoggerList()) {
      if (logger.getLevel() != null && !logger.getName().equals(org.slf4j.Logger.ROOT_LOGGER_NAME)) {
        response.putSettings(LOGGER_PREFIX + logger.getName(),
            LogSettingsResponse.SettingValue.newBuilder()
                .setStringParam(logger.getLevel().toString()).build());
      }
    }
    return response.build();
  }

  private static boolean enabled(Logger logger, Level level) {
    return logger.getEffectiveLevel().toInt() <= level.toInt();
  }

  private static LogSettingsResponse.SettingValue boolValue(boolean value) {
    return LogSettingsResponse.SettingValue.newBuilder().setBoolParam(value).build();
  }

  private static boolean bool(String name, LogSettingsRequest.SettingValue value) {
    if (value.getParameterChoiceCase() != LogSettingsRequest.SettingValue.ParameterChoiceCase.BOOL_PARAM) {
      throw new InvalidArgumentException("setting '" + name + "' must be a bool_param");
    }
    return value.getBoolParam();
  }

  private static Level verbose(LogSettingsRequest.SettingValue value) {
    if (value.getParameterChoiceCase()
        != LogSettingsRequest.SettingValue.ParameterChoiceCase.UINT32_PARAM) {
      throw new InvalidArgumentException("setting 'log_verbose_level' must be a uint32_param");
    }
    int level = value.getUint32Param();
    return level == 0 ? null : level == 1 ? Level.DEBUG : Level.TRACE;
  }

  private static Level level(String name, LogSettingsRequest.SettingValue value) {
    if (value.getParameterChoiceCase()
        != LogSettingsRequest.SettingValue.ParameterChoiceCase.STRING_PARAM) {
      throw new InvalidArgumentException("setting '" + name + "' must be a string_param level");
    }
    String text = value.getStringParam();
    Level level = Level.toLevel(text, null);
    if (level == null) {
      throw new InvalidArgumentException("setting '" + name + "': unknown level '" + text
          + "'; expected OFF, ERROR, WARN, INFO, DEBUG, TRACE or ALL");
    }
    return level;
  }
}
