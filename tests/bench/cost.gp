# cost.gp: the ns/event rows of the benchmark as grouped bars.
#   gnuplot -e "datafile='cost.dat'; outfile='cost.png'" cost.gp
# cost.dat: ROW FLOOR TPC BPFTRACE (0 where not measured)
set terminal pngcairo size 900,520 font ",11"
set output outfile
set title "In-kernel cost per event on the miss path (bpf\\_stats, sys\\_enter\\_openat)"
set ylabel "ns per event (log scale)"
set logscale y
set yrange [10:*]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top left
set grid ytics
plot datafile using 2:xtic(1) title "floor (empty program)" linecolor rgb "#9e9e9e", \
     '' using 3 title "tpc" linecolor rgb "#1f77b4", \
     '' using 4 title "bpftrace 0.17" linecolor rgb "#d62728", \
     '' using ($0 - 0.25):2:(sprintf("%.0f", $2)) with labels offset 0,0.7 notitle, \
     '' using 0:3:(sprintf("%.0f", $3)) with labels offset 0,0.7 notitle, \
     '' using ($0 + 0.25):4:(sprintf("%.0f", $4)) with labels offset 0,0.7 notitle
