ee      ee     eeeeeeee00000000000©000    0000000000xxxxxxxxxxxxxxxxx


×1ÎÎÎÎ41‡I°11111111111111111111111111111111111111111111111111111111111111111111111111111111111111PPýP API°ïIP©ï°¯¯©õ1PýPI°19111111111111111Ø1111111111111111ËÎxxxxxxxxxxx]xxxxxxxxxxxxxxxxxxxxxxxAPI°õ¢


]PPI°ï¿©õ)xPPýP API°ï-P©ï°¯¯©õ0°ý¯¶OÎÌ111111111111111.1111111111111111111111111111111111111111111111PPýP API°õï¯©õPexxxxxxxxxxxx©ï°¯¯©õ4Pý-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx222222222222xxxxxxxxxxxxxxxxxxxxxx2222222222222222%2222222
­






%
































YYYYYYYYYYYYY00000xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxYYYYYYYYYYe 0 Ô     e