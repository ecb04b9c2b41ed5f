"""Java library behaviours that users write into tote's configs and queries — regular
expressions (`java.util.regex`) and `SimpleDateFormat` patterns — shared by ksqlDB's
functions and Connect's transforms, so both read them the way the JVM would."""
