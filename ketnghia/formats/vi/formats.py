# Django's "vi" format module leaves digit grouping off; Vietnamese writes 30.000.000.
DATE_FORMAT = "j \\t\\há\\n\\g n \\nă\\m Y"
SHORT_DATE_FORMAT = "j/n/Y"
DATETIME_FORMAT = "H:i, j \\t\\há\\n\\g n \\nă\\m Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
