parc_display_svg("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>");
parc_display_html("<b>bold</b>");
parc_display_markdown("# Title");
parc_display_png("\x89PNG", 4);
parc_display_id("d1", "text/plain", "first", 5);
parc_update_display("d1", "text/plain", "second", 6);
parc_clear_output(1);
printf("after\n");
