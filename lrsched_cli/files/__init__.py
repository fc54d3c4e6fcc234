"""Files in and out, below every layer that uses them: bounded reading of any input
(reading), atomic writing of any output (output), and the metrics series a plateau reads
(metrics). Imports numpy (metrics) and nothing of lrsched but errors."""
