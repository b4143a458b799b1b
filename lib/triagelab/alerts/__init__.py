"""Alert rules over built datasets: detection, risk scores, evaluation and export."""
